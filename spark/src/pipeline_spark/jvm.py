"""The one place the job reaches into PySpark's private JVM handles (``_jvm``, ``_jsc``, ``_jdf``, ``_jc``).

Everything else uses public PySpark APIs. Each function here says why no public API does the job:
Hadoop's FileSystem (small-object I/O for s3:// and file:// alike) and log4j have no PySpark API at all,
a local checkpoint's blocks can only be freed through its JVM RDD, and the public ``Observation`` wrapper
costs more per write than the write's own planning on a warm small run (it resolves the JVM class by its
dotted path and reads the result through a Java iterator that ends in an exception).
"""

from typing import Any

from py4j.java_gateway import JavaClass, java_import
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def jvm_class(spark: SparkSession, name: str) -> Any:
    """A JVM class by its full name. ``spark._jvm.org.apache...`` would resolve each dotted part
    in turn, and every part that is not a class costs a scan of all the jars on the class path."""
    return JavaClass(name, spark.sparkContext._gateway._gateway_client)


def import_classes(spark: SparkSession, names: tuple[str, ...]) -> None:
    """Imports JVM classes by full name into the py4j view PySpark resolves short names in (a map hit
    instead of a class-path scan per miss)."""
    for name in names:
        java_import(spark._jvm, name)


def hadoop_configuration(spark: SparkSession) -> Any:
    """The session's Hadoop configuration (no PySpark API exposes it)."""
    return spark.sparkContext._jsc.hadoopConfiguration()


def set_logger_level(spark: SparkSession, logger: str, level: str) -> None:
    """Sets one log4j logger's level (PySpark only sets the root level)."""
    log4j = spark.sparkContext._jvm.org.apache.logging.log4j
    log4j.core.config.Configurator.setLevel(logger, getattr(log4j.Level, level))


def with_row_count(frame: DataFrame) -> tuple[DataFrame, Any]:
    """The frame observed by a row counter, and the JVM observation to read once an action ran on it:
    ``int(observation.getAsJava().get("rows"))``."""
    spark = frame.sparkSession
    observation = jvm_class(spark, "org.apache.spark.sql.Observation")()
    rows = F.count(F.lit(1)).alias("rows")._jc
    no_more = spark.sparkContext._jvm.PythonUtils.toSeq([])
    return DataFrame(frame._jdf.observe(observation, rows, no_more), spark), observation


def release_frame(frame: DataFrame) -> None:
    """Frees a cached frame's blocks, or a local checkpoint's (whose blocks belong to its JVM RDD: the
    DataFrame API has no handle on it)."""
    plan = frame._jdf.queryExecution().analyzed()
    if plan.nodeName() == "LogicalRDD":
        plan.rdd().unpersist(False)
    else:
        frame.unpersist()
