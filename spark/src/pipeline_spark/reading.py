"""Reads a source's raw files into one DataFrame of text values (``RAW_SCHEMA``), never typing them.

csv and jsonl files are read by Spark's own text source: splittable (a big file is split across
tasks like any Spark input, gzip excepted), one row per physical line (line separator ``\\n``; a
``\\r`` before it is dropped), and every value stays in the JVM. Each line's physical number is
derived in the JVM as well, from one aggregate over the scan (``scan_text_sources``):

- every split of a file (``_metadata.file_block_start``) is read by one task, in order, so
  ``monotonically_increasing_id()`` numbers its lines consecutively; the aggregate gives each
  split its line count and first id, and a split's first line number is the sum of the line
  counts of the splits before it in the same file;
- the same aggregate returns each file's header line (csv), and, for contracts that allow quoted
  fields spanning lines (``csv.multiline: true``), the few lines that open or close such a field.

A csv record without the quote character is split on the delimiter; any other is tokenized by one
RFC 4180 regular expression per dialect (quotes only around whole fields, doubled inside) and is
well formed only when its fields cover it end to end. A line that leaves a quoted field open is
malformed unless the contract allows multiline records, in which case the lines up to the closing
one are joined into one record that starts on the opening line. jsonl lines go through ``from_json``.

parquet files are read by Spark and every column is turned into text. Either way the result has one
row per record plus one note row per file (``_record_seq`` -1) carrying the file's JSON note.
"""

import codecs
import csv
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional
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

from pipeline_spark.contracts import CsvOptions, Source
from pipeline_spark.errors import root_cause
from pipeline_spark.fs import hadoop_path
from pipeline_spark.jvm import jvm_class
from pipeline_spark.metrics import union_all
from pipeline_spark.sql import ident, literal

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


def _sql_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return literal(str(value))


def local_frame(spark: SparkSession, columns: Sequence[tuple[str, str]], rows: Sequence[tuple]) -> DataFrame:
    """A small table built in the JVM (``VALUES``): ``spark.createDataFrame`` would ship pickled rows
    through Python workers on every action that reads it.

    >>> local_frame(spark, [("a", "int"), ("b", "string")], [(1, "x")]).collect()
    [Row(a=1, b='x')]
    """
    select = ", ".join(f"CAST({ident(name)} AS {kind}) AS {ident(name)}" for name, kind in columns)
    names = ", ".join(ident(name) for name, _ in columns)
    if not rows:
        nulls = ", ".join(f"CAST(NULL AS {kind}) AS {ident(name)}" for name, kind in columns)
        return spark.sql(f"SELECT {nulls} WHERE false")
    values = ", ".join("(" + ", ".join(_sql_value(value) for value in row) + ")" for row in rows)
    return spark.sql(f"SELECT {select} FROM VALUES {values} AS t({names})")


RAW_COLUMNS = [(field.name, field.dataType.simpleString()) for field in RAW_SCHEMA.fields]

DEFAULT_CSV = CsvOptions(header=True, delimiter=",", quote='"', escape='"', encoding="UTF-8", multiline=False)
# A quoted field may span at most this many lines (multiline contracts); a quote left open longer is
# treated as a stray quote: its line is malformed and the lines after it are read as records.
MAX_RECORD_LINES = 10_000
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Lines of multiline records looked up in a literal map; beyond this, a (broadcast) join.
MAX_LOOKUP_ENTRIES = 20_000
_GLOB_CHARACTERS = re.compile(r"([\\*?\[\]{}])")
_CORRUPT = "__corrupt_record"
# Lines that are not records: a csv line that is empty (or only the CR of a CRLF end), a jsonl line of spaces.
_CSV_BLANK = "_line IN ('', '\\r')"
_JSONL_BLANK = "trim(_line) = ''"
_MARK_TYPE = "array<struct<_id:bigint,opens:boolean,closes:boolean,blank:boolean>>"
SPANS_LINES = (
    "a quoted field is not closed on its line "
    "(records spanning lines need csv.multiline: true in the contract)"
)
MISPLACED_QUOTE = "misplaced quote: a quoted field must be a whole field, followed by the delimiter"


@dataclass(frozen=True)
class TextFile:
    """One csv/jsonl input of the run."""

    index: int  # the manifest's file index (_file_idx)
    uri: str
    format: str  # csv | jsonl
    gzip: bool


@dataclass
class _FileLayout:
    """What the scan learned about one file: its splits, header and multiline records."""

    file: TextFile
    blocks: list[tuple[str, int, int, int]] = field(default_factory=list)  # (path, block, lines, first id)
    first_line: Optional[tuple[int, int, bytes]] = None  # (block, id, bytes) of the first non-blank line
    marks: list[tuple[int, int, bool, bool]] = field(default_factory=list)  # (block, id, opens, closes)
    error: Optional[str] = None
    blank: int = 0  # lines that are not records (empty csv lines, blank jsonl lines)
    blank_ids: list[tuple[int, int]] = field(
        default_factory=list
    )  # multiline csv: (block, id) of blank lines


@dataclass
class SourceScan:
    """One source's csv/jsonl files after the scan: the line frame and what its plan needs."""

    source: Source
    lines: Optional[DataFrame]
    files: list[TextFile]
    layouts: dict[int, _FileLayout]


def normalize_path(path: str) -> str:
    """One spelling per file: Spark reports paths URL-encoded ('file:/a%20b/x'), a manifest may
    say 'file:///a b/x'; both become 'file:/a b/x'."""
    if path.startswith("file://"):
        path = "file:" + path[len("file://") :]
    return path


def _spark_path(path: str) -> str:
    """A path as Spark's ``_metadata.file_path`` reports it, decoded (its form is URL-encoded)."""
    return normalize_path(unquote(path))


def _manifest_path(uri: str) -> str:
    """A manifest URI as the Hadoop path string it names (file:// URIs may be percent-encoded)."""
    return normalize_path(hadoop_path(uri))


def literal_path(uri: str) -> str:
    """The path string for a reader that expands globs, with glob characters escaped: a file named
    ``star-*.csv`` is read alone, never together with ``star-1.csv``."""
    return _GLOB_CHARACTERS.sub(r"\\\1", hadoop_path(uri))


def _hex(character: str) -> str:
    return "\\x{" + format(ord(character), "x") + "}"


@dataclass(frozen=True)
class QuoteShapes:
    """Java regular expressions for one csv dialect (RFC 4180: quotes around whole fields only)."""

    fields: str  # one field per match, its raw text in group 1, over the record with a delimiter prepended
    opens: str  # a line, read from a record's start, that ends inside a quoted field
    closes: str  # a line, read from inside a quoted field, that closes it and ends the record


def quote_shapes(options: CsvOptions) -> QuoteShapes:
    """The line shapes of a dialect, possessive throughout (no backtracking on long lines).

    A quoted field is a whole field: a quote inside an unquoted field is text (``12" screen``),
    text after a closing quote is not a field (``"a"b``).

    >>> quote_shapes(DEFAULT_CSV).fields
    '\\x{2c}(\\x{22}(?:[^\\x{22}]++|\\x{22}\\x{22})*+\\x{22}|[^\\x{2c}\\x{22}][^\\x{2c}]*+|)'
    """
    q, d = _hex(options.quote), _hex(options.delimiter)
    if options.escape == options.quote:
        inside = f"(?:[^{q}]++|{q}{q})*+"
        unquoted = f"[^{d}{q}][^{d}]*+"
    else:
        e = _hex(options.escape)
        inside = f"(?:[^{q}{e}]++|{e}[\\s\\S]|{q}{q})*+"
        unquoted = f"(?:[^{d}{q}{e}]|{e}[\\s\\S])(?:[^{d}{e}]++|{e}[\\s\\S])*+"
    quoted = f"{q}{inside}{q}"
    field_ = f"(?:{quoted}|{unquoted}|)"
    return QuoteShapes(
        fields=f"{d}({quoted}|{unquoted}|)",
        opens=f"^(?:{field_}{d})*+{q}{inside}$",
        closes=f"^{inside}{q}(?:{d}{field_})*+$",
    )


def _split_pattern(delimiter: str) -> str:
    """A regex for ``split`` that Java's String.split takes on its fast path (no regex engine)."""
    return "\\" + delimiter if delimiter in ".$|()[]{}^?*+\\" else delimiter


def _unquote(options: CsvOptions, value: str) -> str:
    """SQL turning one raw field (as the tokenizer matched it) into its value."""
    q = literal(options.quote)
    inner = f"replace(substr({value}, 2, length({value}) - 2), {literal(options.quote * 2)}, {q})"
    if options.escape == options.quote:
        return f"CASE WHEN startswith({value}, {q}) THEN {inner} ELSE {value} END"
    escaped = literal(_hex(options.escape) + "([\\s\\S])")
    return (
        f"regexp_replace(CASE WHEN startswith({value}, {q}) THEN {inner} ELSE {value} END, {escaped}, '$1')"
    )


def _strip_cr(column: str) -> str:
    return (
        f"CASE WHEN endswith({column}, '\\r') THEN substr({column}, 1, length({column}) - 1) "
        f"ELSE {column} END"
    )


def _java_charset(spark: SparkSession, encoding: str) -> Optional[str]:
    """The Java name of an ASCII-compatible encoding (lines split on byte 0x0A), or None."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return None
    if '\n,"{}'.encode(info.name) != b'\n,"{}':
        return None
    charset = jvm_class(spark, "java.nio.charset.Charset")
    for name in (encoding, info.name):
        try:
            if charset.isSupported(name):
                return str(charset.forName(name).name())
        except Exception:  # an illegal charset name
            continue
    return None


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def _line_frame(spark: SparkSession, files: Sequence[TextFile]) -> DataFrame:
    paths = [literal_path(item.uri) for item in files]
    return (
        spark.read.option("lineSep", "\n")
        .text(paths)
        .selectExpr(
            "value AS _line",
            "_metadata.file_path AS _path",
            "_metadata.file_block_start AS _block",
            "monotonically_increasing_id() AS _id",
        )
    )


def _marks_expression(options: CsvOptions) -> str:
    """Lines that open (from a record's start) or close (from inside a quote) a quoted field."""
    shapes = quote_shapes(options)
    text = _strip_cr("_line")
    opens = f"({text} RLIKE {literal(shapes.opens)})"
    closes = f"({text} RLIKE {literal(shapes.closes)})"
    # Blank lines are marked too: inside a record that spans lines they are part of it, not blank lines.
    return (
        f"filter(collect_list(CASE WHEN instr(_line, {literal(options.quote)}) > 0 "
        f"THEN named_struct('_id', _id, 'opens', {opens}, 'closes', {closes}, 'blank', false) "
        f"WHEN {_CSV_BLANK} THEN named_struct('_id', _id, 'opens', false, 'closes', false, 'blank', true) "
        "END), "
        "m -> m.opens OR m.closes OR m.blank)"
    )


def _aggregate(lines: DataFrame, source: Source, csv_files: bool) -> DataFrame:
    options = source.csv or DEFAULT_CSV
    marks = (
        _marks_expression(options) if csv_files and options.multiline else f"CAST(array() AS {_MARK_TYPE})"
    )
    return lines.groupBy("_path", "_block").agg(
        F.expr("count(1)").alias("lines"),
        F.expr("min(_id)").alias("first_id"),
        F.expr(
            # min_by copies a line only when it is a new minimum (a struct per row cost 5x the scan).
            "min_by(named_struct('_id', _id, 'bytes', CAST(_line AS binary)), "
            "CASE WHEN _line NOT IN ('', '\\r') THEN _id END)"
        ).alias("first"),
        F.expr(marks).alias("marks"),
        F.expr(f"count_if({_CSV_BLANK})").alias("blank_csv"),
        F.expr(f"count_if({_JSONL_BLANK})").alias("blank_jsonl"),
    )


def _collect_layouts(spark: SparkSession, scans: dict[str, SourceScan], small: bool) -> list[Any]:
    frames = []
    for name, scan in scans.items():
        if scan.lines is None:
            continue
        csv_files = any(item.format == "csv" for item in scan.files)
        # A small batch is aggregated in one partition: no shuffle (the ids are assigned below it).
        lines = scan.lines.coalesce(1) if small else scan.lines
        frames.append(_aggregate(lines, scan.source, csv_files).withColumn("_source", F.lit(name)))
    return union_all(frames).collect() if frames else []


def _probe(spark: SparkSession, item: TextFile) -> Optional[str]:
    """Reads one file alone; returns why it cannot be read, or None."""
    try:
        _line_frame(spark, [item]).groupBy().count().collect()
        return None
    except Exception as error:
        cause = root_cause(error)
        if item.gzip and ("gzip" in cause.lower() or "EOFException" in cause or "ZipException" in cause):
            return f"not a readable gzip file: {cause}"
        return f"cannot read the file: {cause}"


def scan_text_sources(
    spark: SparkSession, sources: dict[str, tuple[Source, list[TextFile]]], small: bool = False
) -> dict[str, SourceScan]:
    """Scans every csv/jsonl file of the run in ONE Spark job: splits, line counts, headers and
    multiline marks per file. A file that cannot be read (corrupt gzip, gone, unknown encoding)
    gets an error and is left out; the other files are scanned again without it.

    >>> scans = scan_text_sources(spark, {"orders": (source, [TextFile(0, "file:///x.csv", "csv", False)])})
    """
    errors: dict[int, str] = {}
    for _, (source, files) in sources.items():
        options = source.csv or DEFAULT_CSV
        if any(item.format == "csv" for item in files) and _java_charset(spark, options.encoding) is None:
            for item in files:
                if item.format == "csv":
                    errors[item.index] = (
                        f"encoding {options.encoding} cannot be read line by line: use an ASCII-compatible "
                        "encoding such as UTF-8 or ISO-8859-1"
                    )
        for item in files:
            if item.gzip and not item.uri.endswith(".gz"):
                errors[item.index] = "a gzip file must end in lowercase .gz to be decompressed by the reader"

    def build() -> dict[str, SourceScan]:
        scans = {}
        for name, (source, files) in sources.items():
            readable = [item for item in files if item.index not in errors]
            lines = _line_frame(spark, readable) if readable else None
            layouts = {item.index: _FileLayout(item, error=errors.get(item.index)) for item in files}
            scans[name] = SourceScan(source, lines, readable, layouts)
        return scans

    try:
        scans = build()
        rows = _collect_layouts(spark, scans, small)
    except Exception:
        for _, (_, files) in sources.items():
            for item in files:
                if item.index not in errors:
                    problem = _probe(spark, item)
                    if problem is not None:
                        errors[item.index] = problem
        scans = build()
        rows = _collect_layouts(spark, scans, small)
    for scan in scans.values():
        by_path = {_manifest_path(item.uri): item.index for item in scan.files}
        for row in (row for row in rows if row["_source"] == scan.source.source):
            index = by_path.get(_spark_path(row["_path"]))
            if index is None:
                raise RuntimeError(f"the text reader returned a path not in the manifest: {row['_path']}")
            layout = scan.layouts[index]
            layout.blocks.append((row["_path"], row["_block"], row["lines"], row["first_id"]))
            layout.blank += row["blank_csv"] if layout.file.format == "csv" else row["blank_jsonl"]
            first = row["first"]
            if first is not None and (layout.first_line is None or row["_block"] < layout.first_line[0]):
                layout.first_line = (row["_block"], first["_id"], bytes(first["bytes"]))
            layout.marks.extend(
                (row["_block"], mark["_id"], mark["opens"], mark["closes"])
                for mark in row["marks"]
                if not mark["blank"]
            )
            layout.blank_ids.extend((row["_block"], mark["_id"]) for mark in row["marks"] if mark["blank"])
    return scans


def _header_fields(text: str, options: CsvOptions) -> list[str]:
    reader = csv.reader(
        [text],
        delimiter=options.delimiter,
        quotechar=options.quote,
        escapechar=None if options.escape == options.quote else options.escape,
        doublequote=True,
        strict=True,
    )
    return next(reader, [])


def header_positions(header: Sequence[str], columns: Sequence[str]) -> tuple[list[int], list[str], list[str]]:
    """Maps each contract column onto a header position: exact name, else case/space-insensitive.

    >>> header_positions(["price", "ID", "extra"], ["id", "name", "price"])
    ([1, -1, 0], ['name'], ['extra'])
    """
    exact: dict[str, int] = {}
    loose: dict[str, int] = {}
    for position, name in enumerate(header):
        exact.setdefault(name, position)
        loose.setdefault(name.strip().lower(), position)
    positions = []
    missing = []
    for column in columns:
        position = exact.get(column, loose.get(column.strip().lower(), -1))
        positions.append(position)
        if position < 0:
            missing.append(column)
    used = set(positions)
    unexpected = [name for position, name in enumerate(header) if position not in used]
    return positions, missing, unexpected


def _named_twice(header: Sequence[str], columns: Sequence[str]) -> Optional[str]:
    """Names a contract column the header carries more than once (exactly, or ignoring case and spaces)."""
    for column in columns:
        wanted = column.strip().lower()
        places = [position + 1 for position, name in enumerate(header) if name.strip().lower() == wanted]
        if len(places) > 1:
            return f"column {column} appears {len(places)} times (fields {', '.join(map(str, places))})"
    return None


@dataclass
class _FilePlan:
    """Per file: where its lines start, what to skip, how its fields map onto the contract."""

    file: TextFile
    deltas: list[tuple[str, int, int]]  # (path, block, line number of id 0 in this block)
    skip_through: int  # lines up to this number are not records (the header)
    width: int  # fields per record
    positions: tuple[int, ...]  # per contract column: its field, -1 if the file lacks it
    note: dict[str, Any]
    members: list[tuple[int, int]]  # multiline: (line, record's first line) of lines in a joined record


def _note(error: Optional[str] = None, missing: Sequence[str] = (), unexpected: Sequence[str] = ()) -> dict:
    return {"error": error, "missing_columns": list(missing), "unexpected_columns": list(unexpected)}


def _multiline_members(marks: list[tuple[int, bool, bool]], after: int) -> list[tuple[int, int]]:
    """Walks the open/close marks of one file in line order; returns (line, first line) for every line
    of a record whose quoted field spans lines. A quote never closed (or not within
    ``MAX_RECORD_LINES``) joins nothing: its line stays a malformed record of its own."""
    members: list[tuple[int, int]] = []
    start: Optional[int] = None
    for line, opens, closes in sorted(marks):
        if line <= after:
            continue
        if start is None:
            if opens:
                start = line
        elif line - start >= MAX_RECORD_LINES:
            start = line if opens else None
        elif closes:
            members.extend((member, start) for member in range(start, line + 1))
            start = None
    return members


def plan_file(layout: _FileLayout, source: Source, python_encoding: str) -> _FilePlan:
    """Line numbering, header mapping and multiline records of one scanned file."""
    item = layout.file
    options = source.csv or DEFAULT_CSV
    columns = source.column_names
    deltas = []
    offset = 0
    block_delta: dict[int, int] = {}
    for path, block, count, first_id in sorted(layout.blocks, key=lambda entry: entry[1]):
        delta = offset + 1 - first_id
        deltas.append((path, block, delta))
        block_delta[block] = delta
        offset += count
    identity = list(range(len(columns)))
    plan = _FilePlan(item, deltas, 0, len(columns), tuple(identity), _note(layout.error), [])
    if layout.error:
        return plan
    if layout.first_line is not None and layout.first_line[2][:2] in UTF16_BOMS:
        # Lines are split on the byte 0x0A, which UTF-16 text spreads over two bytes: every line would be
        # NUL-ridden garbage. Say what the file is instead of quarantining each of its lines.
        plan.note = _note("UTF-16 text (it starts with a UTF-16 byte order mark): save the file as UTF-8")
        return plan
    if item.format != "csv":
        plan.note["lines"] = _line_balance(offset, 0, layout.blank, 0, [])
        return plan
    if options.header:
        if layout.first_line is None:
            plan.skip_through = offset  # no header: an empty or blank file has no records
            plan.note["lines"] = _line_balance(offset, offset, 0, 0, [])
            return plan
        block, first_id, raw = layout.first_line
        plan.skip_through = first_id + block_delta[block]
        text = raw.decode(python_encoding, errors="replace")
        text = text[:-1] if text.endswith("\r") else text
        text = text[1:] if text.startswith("\ufeff") else text
        try:
            header = _header_fields(text, options)
        except Exception as error:  # csv.Error
            plan.note = _note(f"header: unparseable CSV: {error}")
            return plan
        positions, missing, unexpected = header_positions(header, columns)
        twice = _named_twice(header, columns)
        if twice:
            plan.note = _note(f"header: {twice}: which one is the column is ambiguous")
            return plan
        if columns and all(position < 0 for position in positions):
            shown = text if len(text) <= 120 else text[:117] + "..."
            plan.note = _note(
                f"header: none of the contract's columns is in the first line ({shown!r}): is the delimiter "
                f"{options.delimiter!r} right, and does the file start with a header?"
            )
            return plan
        plan.width = len(header)
        plan.positions = tuple(positions)
        plan.note = _note(None, missing, unexpected)
    if options.multiline and layout.marks:
        marks = [
            (mark_id + block_delta[block], opens, closes) for block, mark_id, opens, closes in layout.marks
        ]
        plan.members = _multiline_members(marks, plan.skip_through)
    blank_lines = {mark_id + block_delta[block] for block, mark_id in layout.blank_ids}
    blank_in_records = sum(1 for line, _ in plan.members if line in blank_lines)
    # Lines up to the header are the header and blank lines before it.
    blank_before = plan.skip_through - 1 if plan.skip_through else 0
    plan.note["lines"] = _line_balance(
        offset,
        plan.skip_through,
        layout.blank - blank_before - blank_in_records,
        blank_in_records,
        plan.members,
    )
    return plan


def _line_balance(
    physical: int, before_records: int, blank: int, blank_in_records: int, members: Sequence[tuple[int, int]]
) -> dict[str, int]:
    """Where a file's physical lines went, and so how many records its lines must make: every line is
    the header (or a blank line before it), a blank line, a line of its own record, or one of the lines of
    a record that spans lines (multiline csv). The job compares ``records`` with the records it read.

    >>> _line_balance(10, 1, 2, 0, [(4, 4), (5, 4), (6, 4)])["records"]
    5
    """
    starts = {start for _, start in members}
    return {
        "physical": physical,
        "header": before_records,
        "blank": blank,
        "in_multiline_records": len(members),
        "multiline_records": len(starts),
        "records": physical - before_records - blank - len(members) + len(starts),
        "blank_in_multiline_records": blank_in_records,
    }


def _records_csv(lines: DataFrame, plans: Sequence[_FilePlan], source: Source) -> DataFrame:
    """csv lines -> records: (_file_idx, _line_no, _text, _malformed, _values).

    A line without the quote character is split on the delimiter (Java's fast path); any other
    record is tokenized by the dialect's field pattern, and is well formed only when its fields
    cover it end to end (no stray quote, nothing after a closing quote).
    """
    options = source.csv or DEFAULT_CSV
    shapes = quote_shapes(options)
    records = lines
    spark = lines.sparkSession
    members = [(plan.file.index, line, start) for plan in plans for line, start in plan.members]
    if members:
        if len(members) <= MAX_LOOKUP_ENTRIES:
            # A literal map, not a join: a broadcast join would be executed while the frame is
            # planned (local checkpoints plan eagerly), one more Spark job per source and run.
            by_file: dict[int, list[str]] = defaultdict(list)
            for index, line, start in members:
                by_file[index].append(f"{line}L, {start}L")
            lookup = ", ".join(
                f"{index}, map({', '.join(pairs)})" for index, pairs in sorted(by_file.items())
            )
            joined = records.selectExpr(
                "*", f"element_at(element_at(map({lookup}), _file_idx), _line_no) AS _start"
            )
        else:
            table = local_frame(
                spark, [("_file_idx", "int"), ("_line_no", "bigint"), ("_start", "bigint")], members
            )
            joined = records.join(F.broadcast(table), ["_file_idx", "_line_no"], "left")
        singles = joined.filter("_start IS NULL").drop("_start")
        merged = (
            joined.filter("_start IS NOT NULL")
            .groupBy("_file_idx", "_start")
            .agg(
                F.expr(
                    "concat_ws('\\n', transform(array_sort("
                    "collect_list(named_struct('n', _line_no, 'l', _line))), "
                    "x -> x.l))"
                ).alias("_line")
            )
            .selectExpr("_file_idx", "_start AS _line_no", "_line", "true AS _joined")
        )
        records = singles.withColumn("_joined", F.lit(False)).unionByName(merged)
    else:
        records = records.withColumn("_joined", F.lit(False))
    quote = literal(options.quote)
    records = records.filter(f"NOT ({_CSV_BLANK})").selectExpr(
        "_file_idx", "_line_no", f"{_strip_cr('_line')} AS _text", "_joined"
    )
    records = records.selectExpr("*", f"instr(_text, {quote}) > 0 AS __quoted").selectExpr(
        "*",
        f"CASE WHEN __quoted THEN regexp_extract_all(concat({literal(options.delimiter)}, _text), "
        f"{literal(shapes.fields)}, 1) "
        f"ELSE split(_text, {literal(_split_pattern(options.delimiter))}, -1) END AS __raw",
    )
    # Tokens cover the record end to end exactly when it is well formed (each match is one delimiter
    # and a field; a delimiter is prepended so that no match is empty, which would skip a character).
    gap = "(__quoted AND length(array_join(__raw, '')) + size(__raw) - 1 <> length(_text))"
    shape_problem = (
        f"CASE WHEN {gap} THEN CASE WHEN NOT _joined AND _text RLIKE {literal(shapes.opens)} "
        f"THEN {literal(SPANS_LINES)} ELSE {literal(MISPLACED_QUOTE)} END END"
    )

    def field(position: int) -> str:
        # Scalar expressions per field, not transform(): a lambda is not code-generated, and Spark does not
        # share it between the fields that read it (it would run once per contract column).
        raw = f"__raw[{position}]"
        if options.escape != options.quote:
            return _unquote(options, raw)
        return f"CASE WHEN __quoted THEN {_unquote(options, raw)} ELSE {raw} END"

    shapes_by_file: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for plan in plans:
        shapes_by_file[(plan.width, plan.positions)].append(plan.file.index)
    groups = list(shapes_by_file.items())
    values_cases = []
    width_cases = []
    for (width, positions), indexes in groups:
        condition = "true" if len(groups) == 1 else f"_file_idx IN ({', '.join(map(str, indexes))})"
        items = ", ".join(
            field(position) if position >= 0 else "CAST(NULL AS string)" for position in positions
        )
        values_cases.append((condition, f"array({items})" if items else "CAST(array() AS array<string>)"))
        width_cases.append((condition, str(width)))

    def pick(cases: list[tuple[str, str]]) -> str:
        if len(cases) == 1:
            return cases[0][1]
        return "CASE " + " ".join(f"WHEN {condition} THEN {sql}" for condition, sql in cases) + " END"

    checks = _byte_checks(options.encoding)
    return records.selectExpr(
        "_file_idx",
        "_line_no",
        "_text",
        f"coalesce({checks}, {shape_problem}, CASE WHEN size(__raw) <> {pick(width_cases)} "
        "THEN 'wrong number of fields for the header' END) AS _malformed",
        f"{pick(values_cases)} AS _values",
    )


def _byte_checks(encoding: str) -> str:
    nul = "CASE WHEN instr(_text, char(0)) > 0 THEN 'NUL character in a field'"
    if _is_utf8(encoding):
        return (
            f"{nul} WHEN _text <> decode(CAST(_text AS binary), 'UTF-8') "
            "THEN 'bytes that are not valid UTF-8' END"
        )
    return f"{nul} END"


def _records_jsonl(lines: DataFrame, source: Source) -> DataFrame:
    schema = ", ".join([f"{ident(column.name)} string" for column in source.columns] + [f"{_CORRUPT} string"])
    parsed = (
        f"from_json(_text, {literal(schema)}, "
        f"map('mode', 'PERMISSIVE', 'columnNameOfCorruptRecord', '{_CORRUPT}'))"
    )
    values = []
    for column in source.columns:
        value = f"__p.{ident(column.name)}"
        if column.type.startswith("decimal") or column.type == "double":
            # Jackson prints a fractional JSON number through a double: 1.2345E7 for 12345000.0.
            value = (
                f"CASE WHEN {value} RLIKE '^-?[0-9]\\\\.[0-9]+E-?[0-9]+$' "
                f"THEN coalesce(CAST(CAST({value} AS decimal(38,18)) AS string), {value}) ELSE {value} END"
            )
        values.append(value)
    records = lines.filter(f"NOT ({_JSONL_BLANK})").selectExpr(
        "_file_idx", "_line_no", f"{_strip_cr('_line')} AS _text"
    )
    checks = _byte_checks("UTF-8")
    # A contract column holds a scalar: an object or array there is not a value of the column. Spark keeps it
    # as its JSON text (like a string that happens to look the same), so the token is found in the line; a
    # cheap test for ': {' / ': [' anywhere comes first.
    nested = " ".join(
        f"WHEN _text RLIKE {literal(_nested_value_pattern(column.name))} "
        f"THEN {literal(f'column {column.name} holds a JSON object or array, not a scalar value')}"
        for column in source.columns
    )
    nested_check = (
        f"CASE WHEN _text RLIKE ':\\\\s*[\\\\[{{]' THEN CASE {nested} END END" if nested else "NULL"
    )
    # A key written twice is ambiguous (Spark would silently keep the last value).
    duplicate = (
        "CASE WHEN size(__keys) <> size(array_distinct(__keys)) THEN concat('duplicate JSON key: ', "
        "array_join(array_distinct(filter(__keys, (k, i) -> array_position(__keys, k) <> i + 1)), ', ')) END"
    )
    return records.selectExpr("*", f"{parsed} AS __p", "json_object_keys(_text) AS __keys").selectExpr(
        "_file_idx",
        "_line_no",
        "_text",
        f"coalesce({checks}, CASE WHEN NOT startswith(ltrim(_text), '{{') THEN 'not a JSON object' "
        f"WHEN __p.{_CORRUPT} IS NOT NULL OR NOT endswith(rtrim(_text), '}}') "
        f"THEN 'invalid JSON' WHEN {_two_values('_text')} THEN 'more than one JSON value on the line' END, "
        f"{duplicate}, {nested_check}) AS _malformed",
        f"array({', '.join(values)}) AS _values",
    )


# A value closing and the next opening with nothing but spaces between them: never inside one JSON object
# (values are separated by commas), so outside strings it means two objects on one line (a lost line
# break); from_json would read the first and ignore the rest.
_VALUE_THEN_VALUE = r"[}\]]\s*+[{\[]"
_JSON_STRING = r'"(?:[^"\\]++|\\.)*+"'


def _two_values(text: str) -> str:
    """SQL: the line holds a JSON value right after another (checked outside strings, after a cheap test)."""
    pattern = literal(_VALUE_THEN_VALUE)
    return (
        f"({text} RLIKE {pattern} AND "
        f"regexp_replace({text}, {literal(_JSON_STRING)}, '\"\"') RLIKE {pattern})"
    )


def _nested_value_pattern(name: str) -> str:
    """Regex: the key ``name`` (not inside a JSON string) followed by an object or array value."""
    return '(?<!\\\\)"' + re.escape(json.dumps(name)[1:-1]) + '"\\s*:\\s*[\\[{]'


def read_text_source(spark: SparkSession, scan: SourceScan) -> list[DataFrame]:
    """One source's scanned csv/jsonl files -> RAW_SCHEMA frames (records, then the file notes)."""
    source = scan.source
    options = source.csv or DEFAULT_CSV
    charset = _java_charset(spark, options.encoding)  # None: the scan rejected the source's csv files
    python_encoding = codecs.lookup(options.encoding).name if charset else "utf-8"
    plans = [plan_file(layout, source, python_encoding) for layout in scan.layouts.values()]
    notes = [
        (plan.file.index, -1, None, None, None, None, json.dumps(plan.note, sort_keys=True)) for plan in plans
    ]
    frames = [local_frame(spark, RAW_COLUMNS, notes)]
    readable = [plan for plan in plans if plan.note["error"] is None and plan.deltas]
    if scan.lines is None or not readable:
        return frames
    # Each line's file, skip mark and line number from its split, by a literal map on the path (not a
    # join: see _records_csv).
    entries = []
    for plan in readable:
        blocks = ", ".join(f"{block}L, {delta}L" for _, block, delta in plan.deltas)
        info = f"named_struct('i', {plan.file.index}, 's', {plan.skip_through}L, 'd', map({blocks}))"
        entries.append(f"{literal(plan.deltas[0][0])}, {info}")
    lines = (
        scan.lines.selectExpr(
            f"element_at(map({', '.join(entries)}), _path) AS __f", "_id", "_block", "_line"
        )
        .selectExpr(
            "__f.i AS _file_idx", "_id + element_at(__f.d, _block) AS _line_no", "_line", "__f.s AS _skip"
        )
        .filter("_line_no > _skip")
        .drop("_skip")
    )
    if charset is not None and not _is_utf8(options.encoding):
        lines = lines.selectExpr(
            "_file_idx", "_line_no", f"decode(CAST(_line AS binary), {literal(charset)}) AS _line"
        )
    # A BOM the reader left on a file's first line (non-UTF-8 or headerless files) is not data.
    lines = lines.selectExpr(
        "_file_idx",
        "_line_no",
        "CASE WHEN _line_no = 1 THEN regexp_replace(_line, '^\\uFEFF', '') ELSE _line END AS _line",
    )
    csv_plans = [plan for plan in readable if plan.file.format == "csv"]
    json_plans = [plan for plan in readable if plan.file.format == "jsonl"]
    parts = []
    if csv_plans:
        indexes = ", ".join(str(plan.file.index) for plan in csv_plans)
        subset = lines if not json_plans else lines.filter(f"_file_idx IN ({indexes})")
        parts.append(_records_csv(subset, csv_plans, source))
    if json_plans:
        indexes = ", ".join(str(plan.file.index) for plan in json_plans)
        subset = lines if not csv_plans else lines.filter(f"_file_idx IN ({indexes})")
        parts.append(_records_jsonl(subset, source))
    for part in parts:
        frames.append(
            part.selectExpr(
                "CAST(_file_idx AS int) AS _file_idx",
                "_line_no AS _record_seq",
                "CAST(_line_no AS int) AS _source_line",
                "_malformed",
                "CASE WHEN _malformed IS NOT NULL "
                "THEN decode(CAST(_text AS binary), 'UTF-8') END AS _raw_record",
                "CASE WHEN _malformed IS NULL THEN _values END AS _values",
                "CAST(NULL AS string) AS _file_note",
            )
        )
    return frames


def _note_frame(spark: SparkSession, file_idx: int, note: str) -> DataFrame:
    return local_frame(spark, RAW_COLUMNS, [(file_idx, -1, None, None, None, None, note)])


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
    try:
        frame = spark.read.parquet(literal_path(uri))
        fields = {field.name: field.dataType for field in frame.schema.fields}
    except Exception as error:
        note = _note(f"not a readable parquet file: {str(error).splitlines()[0]}")
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
    note = _note(None, missing, sorted(set(fields) - used))
    return records.unionByName(_note_frame(spark, file_idx, json.dumps(note, sort_keys=True)))
