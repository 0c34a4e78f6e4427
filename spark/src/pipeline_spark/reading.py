"""Reads a source's raw files into one DataFrame of text values (``RAW_SCHEMA``), never typing them.

csv and jsonl files are read whole (``binaryFile``) and parsed by ``parsing.parse_file`` on the
executors, one task per group of files; parquet files are read by Spark and every column is turned
into text. Either way the result has one row per record plus one note row per file.
"""

from collections.abc import Sequence
from urllib.parse import unquote

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DateType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

from pipeline_spark.contracts import Source
from pipeline_spark.errors import InputError
from pipeline_spark.fs import hadoop_path
from pipeline_spark.parsing import FilePlan, parse_file

RAW_SCHEMA = StructType(
    [
        StructField("_file_idx", IntegerType(), False),
        StructField("_record_seq", LongType(), False),
        StructField("_source_line", IntegerType(), True),
        StructField("_malformed", StringType(), True),
        StructField("_raw_record", StringType(), True),
        StructField("_values", ArrayType(StringType(), True), True),
        StructField("_file_note", StringType(), True),
    ]
)


def normalize_path(path: str) -> str:
    """One spelling per file: 'file:///a%20b/x' and 'file:/a b/x' both become 'file:/a b/x'."""
    path = unquote(path)
    if path.startswith("file://"):
        path = "file:" + path[len("file://") :]
    return path


def file_plan(file_idx: int, source: Source, file_format: str, gzip: bool) -> FilePlan:
    options = source.csv
    if file_format == "csv" and options is not None:
        return FilePlan(
            file_idx=file_idx,
            format="csv",
            gzip=gzip,
            columns=tuple(source.column_names),
            encoding=options.encoding,
            header=options.header,
            delimiter=options.delimiter,
            quote=options.quote,
            escape=options.escape,
        )
    return FilePlan(file_idx=file_idx, format=file_format, gzip=gzip, columns=tuple(source.column_names))


def read_text_files(spark: SparkSession, files: Sequence[tuple[str, FilePlan]]) -> DataFrame:
    """csv/jsonl files -> RAW_SCHEMA rows. ``files``: (uri, plan) pairs.

    >>> raw = read_text_files(spark, [("file:///tmp/x.csv", FilePlan(0, "csv", False, ("a", "b")))])
    """
    plans: dict[str, FilePlan] = {normalize_path(uri): plan for uri, plan in files}
    try:
        paths = [hadoop_path(uri) for uri, _ in files]
        binary = spark.read.format("binaryFile").load(paths).select("path", "content")
    except Exception as error:
        raise InputError(f"cannot list the input files: {str(error).splitlines()[0]}", error) from error

    def parse_partition(rows):  # runs on the executors
        for row in rows:
            plan = plans.get(normalize_path(row.path))
            if plan is None:
                raise InputError(f"binaryFile returned a path not in the manifest: {row.path}")
            yield from parse_file(bytes(row.content), plan)

    return spark.createDataFrame(binary.rdd.mapPartitions(parse_partition), RAW_SCHEMA, verifySchema=False)


def _note_frame(spark: SparkSession, file_idx: int, note: str) -> DataFrame:
    return spark.createDataFrame([(file_idx, -1, None, None, None, None, note)], RAW_SCHEMA)


def _as_text(column: Column, data_type: object, fmt: str) -> Column:
    if isinstance(data_type, (TimestampType, TimestampNTZType)):
        return F.date_format(column, fmt or "yyyy-MM-dd HH:mm:ss")
    if isinstance(data_type, DateType):
        return F.date_format(column, fmt or "yyyy-MM-dd")
    return column.cast("string")


def read_parquet_file(spark: SparkSession, uri: str, file_idx: int, source: Source) -> DataFrame:
    """One parquet file -> RAW_SCHEMA rows: each contract column found by name, turned into text.

    Timestamps and dates are printed with the contract's format, so they parse back unchanged.
    """
    import json

    try:
        frame = spark.read.parquet(hadoop_path(uri))
        fields = {field.name: field.dataType for field in frame.schema.fields}
    except Exception as error:
        note = {"error": f"not a readable parquet file: {str(error).splitlines()[0]}"}
        note.update({"missing_columns": [], "unexpected_columns": []})
        return _note_frame(spark, file_idx, json.dumps(note, sort_keys=True))
    lowered = {name.lower(): name for name in fields}
    values: list[Column] = []
    missing = []
    used = set()
    for column in source.columns:
        name = column.name if column.name in fields else lowered.get(column.name.lower())
        if name is None:
            missing.append(column.name)
            values.append(F.lit(None).cast("string"))
        else:
            used.add(name)
            values.append(_as_text(F.col(f"`{name}`"), fields[name], column.format or ""))
    records = frame.select(
        F.lit(file_idx).cast("int").alias("_file_idx"),
        F.monotonically_increasing_id().alias("_record_seq"),
        F.lit(None).cast("int").alias("_source_line"),
        F.lit(None).cast("string").alias("_malformed"),
        F.lit(None).cast("string").alias("_raw_record"),
        F.array(*values).alias("_values"),
        F.lit(None).cast("string").alias("_file_note"),
    )
    note = {"error": None, "missing_columns": missing, "unexpected_columns": sorted(set(fields) - used)}
    return records.unionByName(_note_frame(spark, file_idx, json.dumps(note, sort_keys=True)))
