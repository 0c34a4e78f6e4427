"""SparkSession settings: the ones fixed at start-up (local mode) and the ones set per run.

Spark's defaults are tuned for big data (200 shuffle partitions, UI, INT96 timestamps); a day's
files are small, so each run sizes shuffles to its input.
"""

import math
import os
from typing import Optional

from pyspark.sql import DataFrame, SparkSession

from pipeline_spark.jvm import hadoop_configuration, import_classes, release_frame, set_logger_level

# Session-level SQL settings every run relies on (safe to set on a running session).
RUN_CONF = {
    "spark.sql.session.timeZone": "UTC",
    # Dates that only the legacy (lenient) parser accepts must be invalid, never an exception.
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    # Keep a cached frame's partitioning visible to the plans reading it (no needless shuffle).
    "spark.sql.optimizer.canChangeCachedPlanOutputPartitioning": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # Dates before 1582 / timestamps before 1900 are written and read as they are (proleptic Gregorian,
    # what Redshift and DuckDB use): the default (EXCEPTION) would fail the whole run on one such value.
    "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.compression.codec": "snappy",
    "spark.sql.sources.partitionOverwriteMode": "static",
    # No _SUCCESS marker in the output folders (Redshift auto-copy must see data files only).
    "mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    "parquet.summary.metadata.level": "NONE",
    # Every query execution renders its plan for the listener bus even with the UI off; with wide
    # contract projections the "formatted" rendering costs more driver time than the query itself.
    "spark.sql.ui.explainMode": "simple",
    # Cached frames live for one run: compressing them (dictionary statistics per column) cost
    # 60% of the executors' time in a profile, for memory the run gives back minutes later.
    "spark.sql.inMemoryColumnarStorage.compressed": "false",
}
# A tiny batch (a few thousand rows) spends its time planning, not computing: generating Java source for the
# wide contract projections (and shipping it in every task) cost more than evaluating the expressions.
# Interpreted evaluation used 12-15% less driver CPU on a 634-row day (0.1 MB) but 15-30% MORE on a
# 23.5k-row day (1.7 MB), measured interleaved: only batches under TINY_BATCH_BYTES go without it.
TINY_BATCH_BYTES = 256 * 1024
TINY_BATCH_CONF = {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}
CODEGEN_CONF = {"spark.sql.codegen.wholeStage": "true", "spark.sql.codegen.factoryMode": "FALLBACK"}
BYTES_PER_SHUFFLE_PARTITION = 64 * 1024 * 1024
SMALL_BATCH_BYTES = 16 * 1024 * 1024
# The local driver JVM serves many small runs: the C1 JIT and the serial collector cost a fraction of
# the CPU of C2 + G1 there (measured: 0.5 vs 4 CPU-seconds of JIT/GC per warm run on 2 cores; a first
# run over 100k order items also took 23 s instead of 31 s). C1 alone gets the non-tiered 48 MiB code
# cache, and every warm run compiles new generated classes (~0.5 MiB): it filled after ~30 small runs
# or one 100k-item run, the JVM then switched its compiler off for good and everything ran interpreted.
# The read-and-validate stage generates one method of more than 8,000 bytes of bytecode, which the JVM by
# default never compiles (it ran interpreted: most samples of a 100k-item run's profile sat in it);
# -XX:-DontCompileHugeMethods lets C1 compile it (warm 100k-item runs 10-12% faster here).
# PIPELINE_SPARK_JAVA_OPTIONS overrides these.
LOCAL_JAVA_OPTIONS = (
    "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=512m -XX:-DontCompileHugeMethods"
)


def shuffle_partitions(input_bytes: int, parallelism: int) -> int:
    """Shuffle partitions for a run: 1 for a small batch (then the job runs without any shuffle),
    else one per 64 MiB of input, at least one per core, at most four per core.

    >>> shuffle_partitions(300_000, 2), shuffle_partitions(40_000_000, 2), shuffle_partitions(10**10, 2)
    (1, 2, 8)
    """
    cores = max(parallelism, 1)
    if input_bytes <= SMALL_BATCH_BYTES:
        return 1
    wanted = math.ceil(input_bytes / BYTES_PER_SHUFFLE_PARTITION)
    return max(cores, min(wanted, 4 * cores))


# JVM classes PySpark looks up by short name on most DataFrame calls. py4j resolves a short name by
# trying each imported package in turn, and every miss scans all ~250 jars on the class path;
# importing them by full name makes the lookup a map hit.
HOT_JVM_CLASSES = (
    "org.apache.spark.sql.functions",
    "org.apache.spark.api.python.PythonUtils",
    "org.apache.spark.sql.api.python.PythonSQLUtils",
    "org.apache.spark.api.python.SerDeUtil",
    "org.apache.spark.api.python.PythonRDD",
    "org.apache.spark.api.python.SimplePythonFunction",
    "org.apache.spark.sql.SparkSession",
)


def materialize(frame: DataFrame, small: bool) -> DataFrame:
    """Keeps a frame that several outputs read, computed once by the first action that needs it.

    A local checkpoint makes every plan built on the frame start from a leaf instead of the frame's
    whole lineage, which is what a warm run of a day's files spends its time on (analysing, optimising
    and serialising plans, not computing rows), and stores the rows as they are. In local mode it is
    used for every batch: the driver is the only executor, so no block can be lost, and a warm run over
    100k order items used a third less CPU than with ``cache()`` (whose columnar conversion, and reading
    back, was the biggest item of the profile). On a cluster a big batch is cached instead, so the
    blocks of a lost executor are recomputed from lineage rather than failing the run.
    """
    if small or frame.sparkSession.sparkContext.master.startswith("local"):
        return frame.localCheckpoint(eager=False)
    return frame.cache()


def release(frame: DataFrame) -> None:
    """Frees what ``materialize`` kept (cached blocks, or the local checkpoint's blocks)."""
    release_frame(frame)


def configure_run(spark: SparkSession, input_bytes: int) -> int:
    """Applies the per-run settings to a (possibly warm) session; returns the shuffle partitions."""
    import_classes(spark, HOT_JVM_CLASSES)
    for key, value in RUN_CONF.items():
        spark.conf.set(key, value)
    hadoop = hadoop_configuration(spark)
    hadoop.set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    hadoop.set("parquet.summary.metadata.level", "NONE")
    partitions = shuffle_partitions(input_bytes, spark.sparkContext.defaultParallelism)
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    for key, value in (TINY_BATCH_CONF if input_bytes <= TINY_BATCH_BYTES else CODEGEN_CONF).items():
        spark.conf.set(key, value)
    return partitions


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Built by `make setup` (spark/localfs): Hadoop's file:// file system without a forked chmod per
# folder and file it creates. Local mode only; without it the session works the same, slower.
LOCAL_FS_CLASS = "pipeline.localfs.NioLocalFileSystem"


def local_fs_jar() -> Optional[str]:
    """The local file system jar, if built (``PIPELINE_SPARK_LOCAL_FS_JAR`` overrides the path)."""
    default = os.path.join(
        os.path.dirname(os.path.dirname(_package_root())), ".build", "spark-localfs", "pipeline-localfs.jar"
    )
    path = os.environ.get("PIPELINE_SPARK_LOCAL_FS_JAR", default)
    return path if path and os.path.isfile(path) else None


def local_session(master: Optional[str] = None, app_name: str = "pipeline-spark") -> SparkSession:
    """A local-mode session for the warm process, tests and benchmarks: UI off, UTC, small shuffles.

    The package folder is put on the workers' PYTHONPATH so executors can import it.
    """
    root = _package_root()
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths and not root.endswith(".zip"):
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *paths])
    java_options = os.environ.get("PIPELINE_SPARK_JAVA_OPTIONS", LOCAL_JAVA_OPTIONS)
    builder = (
        SparkSession.builder.master(master or os.environ.get("PIPELINE_SPARK_MASTER", "local[*]"))
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", str(os.cpu_count() or 2))
        .config("spark.driver.memory", os.environ.get("PIPELINE_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", f"-Duser.timezone=UTC {java_options}".strip())
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.python.worker.reuse", "true")
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        .config("spark.sql.adaptive.enabled", "true")
        # One run compiles ~140 distinct generated classes; the default cache (100 entries) would
        # evict them in LRU order and recompile every one of them on every warm run.
        .config("spark.sql.codegen.cache.maxEntries", "4096")
        # Plan text is rendered for the listener bus on every query; nobody reads it locally.
        .config("spark.sql.maxPlanStringLength", "4096")
    )
    for key, value in RUN_CONF.items():
        if key.startswith("spark."):
            builder = builder.config(key, value)
    jar = local_fs_jar()
    if jar:
        builder = builder.config("spark.driver.extraClassPath", jar).config(
            "spark.hadoop.fs.file.impl", LOCAL_FS_CLASS
        )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("PIPELINE_SPARK_LOG_LEVEL", "WARN"))
    set_logger_level(spark, "org.apache.spark.sql.catalyst.util.StringUtils", "ERROR")
    return spark
