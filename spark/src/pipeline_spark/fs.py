"""Small-file I/O through Hadoop's FileSystem API, so one code path serves s3:// and file:// URIs.

Used for the manifest, the contract bundle and the metrics JSON (no Spark job, no marker files).
Checksum files are switched off for the file system written to, so the local file system leaves
no ``.crc`` files beside the outputs either.
"""

from typing import Any
from urllib.parse import unquote

from pyspark.sql import SparkSession

from pipeline_spark.errors import InputError
from pipeline_spark.jvm import hadoop_configuration, jvm_class


def hadoop_path(uri: str) -> str:
    """The string Hadoop's ``Path`` needs for a URI. A file:// URI may be percent-encoded (RFC 8089:
    ``dt%3D2017-01-05``), which Hadoop would take literally; object-store keys are used as they are.

    >>> hadoop_path("file:///data/raw/orders/dt%3D2017-01-05/a.csv")
    'file:///data/raw/orders/dt=2017-01-05/a.csv'
    """
    return unquote(uri) if uri.startswith("file:") else uri


def _path_and_fs(spark: SparkSession, uri: str) -> Any:
    conf = hadoop_configuration(spark)
    path = jvm_class(spark, "org.apache.hadoop.fs.Path")(hadoop_path(uri))
    return path, path.getFileSystem(conf)


def no_checksum_files(spark: SparkSession, uri: str) -> None:
    """Stops the file system of ``uri`` from writing ``.crc`` side files (a no-op for S3)."""
    _, fs = _path_and_fs(spark, uri)
    fs.setWriteChecksum(False)
    fs.setVerifyChecksum(False)


def read_bytes(spark: SparkSession, uri: str) -> bytes:
    """Reads a whole (small) object.

    >>> json.loads(read_bytes(spark, "file:///tmp/manifest.json"))
    """
    path, fs = _path_and_fs(spark, uri)
    try:
        stream = fs.open(path)
    except Exception as error:
        raise InputError(f"cannot read {uri}: {str(error).splitlines()[0]}", error) from error
    try:
        return bytes(jvm_class(spark, "org.apache.commons.io.IOUtils").toByteArray(stream))
    finally:
        stream.close()


def read_text(spark: SparkSession, uri: str) -> str:
    return read_bytes(spark, uri).decode("utf-8")


def write_bytes(spark: SparkSession, uri: str, data: bytes) -> None:
    """Writes (overwrites) one object in a single put; creates parent folders on file systems."""
    path, fs = _path_and_fs(spark, uri)
    fs.setWriteChecksum(False)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(data))
    finally:
        stream.close()


def delete(spark: SparkSession, uri: str) -> None:
    """Deletes a folder (recursively) or object if it exists."""
    path, fs = _path_and_fs(spark, uri)
    if fs.exists(path):
        fs.delete(path, True)


def size_of(spark: SparkSession, uri: str) -> int:
    path, fs = _path_and_fs(spark, uri)
    try:
        return int(fs.getFileStatus(path).getLen())
    except Exception as error:
        raise InputError(f"input not found: {uri}", error) from error


def qualified(spark: SparkSession, uri: str) -> str:
    """The fully qualified form Spark's file sources report for ``uri`` (file:/x, s3://b/k)."""
    path, fs = _path_and_fs(spark, uri)
    return str(fs.makeQualified(path).toString())


def list_files(spark: SparkSession, uri: str) -> list[str]:
    """Names of every file under a folder, recursively (relative to it)."""
    path, fs = _path_and_fs(spark, uri)
    if not fs.exists(path):
        return []
    root = str(fs.makeQualified(path).toString()).rstrip("/") + "/"
    iterator = fs.listFiles(path, True)
    names = []
    while iterator.hasNext():
        names.append(str(iterator.next().getPath().toString())[len(root) :])
    return sorted(names)
