"""The local session's plumbing: the chmod-free file:// file system and what a run keeps between runs."""

import os
import stat

from helpers import file_uri
from pipeline_spark.jvm import jvm_class
from pipeline_spark.session import LOCAL_FS_CLASS, local_fs_jar


def _file_system(spark, path):
    assert local_fs_jar() is not None, "spark/localfs is not built: `make setup` builds it (needs javac)"
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hadoop_path = jvm_class(spark, "org.apache.hadoop.fs.Path")(file_uri(path))
    return hadoop_path, hadoop_path.getFileSystem(conf)


def test_local_files_are_written_through_the_chmod_free_file_system(spark, tmp_path):
    hadoop_path, fs = _file_system(spark, tmp_path / "a" / "b")
    assert fs.getClass().getName() == LOCAL_FS_CLASS
    umask = os.umask(0)
    os.umask(umask)

    assert fs.mkdirs(hadoop_path)
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o777 & ~umask

    permission = jvm_class(spark, "org.apache.hadoop.fs.permission.FsPermission")
    for mode in (0o640, 0o755, 0o700, 0o604):
        fs.setPermission(hadoop_path, permission(mode))
        assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == mode
    assert fs.getFileStatus(hadoop_path).getPermission().toShort() == 0o604


def test_parquet_written_locally_reads_back_with_the_umask_applied(spark, tmp_path):
    out = tmp_path / "out"
    assert _file_system(spark, tmp_path)[1].getClass().getName() == LOCAL_FS_CLASS
    spark.range(5).selectExpr("id", "cast(id AS string) AS text").write.parquet(file_uri(out))
    assert sorted(row.id for row in spark.read.parquet(file_uri(out)).collect()) == [0, 1, 2, 3, 4]
    umask = os.umask(0)
    os.umask(umask)
    parts = list(out.glob("part-*.parquet"))
    assert parts
    assert {stat.S_IMODE(part.stat().st_mode) for part in parts} == {0o666 & ~umask}


def test_the_driver_jvm_has_room_to_keep_compiling_across_many_warm_runs(spark):
    """C1 alone defaults to a 48 MiB code cache; once full, the JVM stops compiling for good."""
    management = jvm_class(spark, "java.lang.management.ManagementFactory")
    sizes = {
        str(pool.getName()): pool.getUsage().getMax()
        for pool in management.getMemoryPoolMXBeans()
        if "CodeHeap" in str(pool.getName()) or "CodeCache" in str(pool.getName())
    }
    assert sizes, "no code cache memory pool found"
    assert sum(sizes.values()) >= 500 * 2**20, sizes


def test_only_a_tiny_batch_is_evaluated_without_code_generation(spark):
    from pipeline_spark.session import TINY_BATCH_BYTES, configure_run

    try:
        configure_run(spark, TINY_BATCH_BYTES)
        assert spark.conf.get("spark.sql.codegen.wholeStage") == "false"
        assert spark.conf.get("spark.sql.codegen.factoryMode") == "NO_CODEGEN"
        configure_run(spark, TINY_BATCH_BYTES + 1)  # still one partition, but enough rows to pay for codegen
        assert spark.conf.get("spark.sql.codegen.wholeStage") == "true"
        assert spark.conf.get("spark.sql.codegen.factoryMode") == "FALLBACK"
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", "2")
