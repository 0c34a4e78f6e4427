"""Warm mode for the local stage: one SparkSession kept across runs, driven by JSON lines.

    python -m pipeline_spark.warm

stdin, one request per line:   {"id": "<any>", "manifest_uri": "<uri>"}
stdout, one answer per line:   {"id": ..., "ok": true, "metrics_uri": ..., "seconds": 0.8}
                           or  {"id": ..., "ok": false, "error_type": "AnalysisException",
                                "exception": "org.apache.spark.sql.catalyst.ExtendedAnalysisException",
                                "message": "[UNRESOLVED_COLUMN...] ...", "retryable": false}
(``pipeline_spark.errors.describe``). It prints {"ready": true} once the session is up (and warmed
up), and exits at end of input, or after an answer with ``"retryable": true`` (its Spark session is gone).
Everything else (Spark's and Python's logs) goes to stderr: the process's file descriptor 1 is
pointed at stderr before the JVM starts, and only this module writes to the saved stdout.
"""

import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from pyspark.sql import SparkSession

log = logging.getLogger("pipeline_spark.warm")


def handle(spark: SparkSession, line: str, runner: Optional[Callable] = None) -> dict[str, Any]:
    """Answers one request line. Never raises: failures become ``{"ok": false, ...}`` answers.

    >>> handle(spark, '{"id": "1", "manifest_uri": "file:///tmp/m.json"}')
    {'id': '1', 'ok': True, 'metrics_uri': 'file:///...', 'seconds': 0.41}
    """
    from pipeline_spark.errors import ManifestError, describe
    from pipeline_spark.job import execute

    run = runner or execute
    request_id: Any = None
    started = time.perf_counter()
    try:
        try:
            request = json.loads(line)
        except ValueError as error:
            raise ManifestError(f"request is not JSON: {error}", error) from error
        if not isinstance(request, dict):
            raise ManifestError("request must be a JSON object")
        request_id = request.get("id")
        uri = request.get("manifest_uri")
        if not isinstance(uri, str) or not uri:
            raise ManifestError("request.manifest_uri: must be a non-empty string")
        metrics_uri, _ = run(spark, uri)
        return {
            "id": request_id,
            "ok": True,
            "metrics_uri": metrics_uri,
            "seconds": round(time.perf_counter() - started, 3),
        }
    except Exception as error:  # the process must survive any failing run
        log.exception("run failed")
        return {"id": request_id, "ok": False, **describe(error)}


def serve(spark: SparkSession, requests: Iterable[str], answers: TextIO) -> int:
    """Answers each non-blank request line with one JSON line; returns how many were answered.
    Stops after a retryable failure: the session cannot serve another run, a new process can."""
    count = 0
    for line in requests:
        if not line.strip():
            continue
        answer = handle(spark, line)
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        count += 1
        if answer.get("retryable"):
            break
    return count


_WARMUP_BUNDLE = {
    "bundle_version": 1,
    "checksum": "warm-up",
    "entities": {
        "orders": {
            "key": ["order_id"],
            "dedupe_key": ["order_id"],
            "columns": [
                {"name": "order_id", "type": "string", "nullable": False},
                {"name": "amount", "type": "decimal(18,4)", "nullable": True},
                {"name": "effective_at", "type": "timestamp", "nullable": False},
            ],
            "curated_columns": [
                {"name": "order_id", "type": "string"},
                {"name": "amount", "type": "decimal(18,4)"},
                {"name": "effective_at", "type": "timestamp"},
                {"name": "_run_id", "type": "string"},
                {"name": "_source_file", "type": "string"},
                {"name": "_source_line", "type": "int"},
                {"name": "_ingested_at", "type": "timestamp"},
            ],
        }
    },
    "lineage_columns": ["_run_id", "_source_file", "_source_line", "_ingested_at"],
    "curated_lineage_columns": ["_run_id", "_source_file", "_source_line", "_ingested_at"],
    "quarantine_reasons": ["malformed_row", "missing_required", "invalid_type", "rule_violation", "too_long"],
    "sources": {
        "warmup": {
            "source": "warmup",
            "description": None,
            "formats": ["csv"],
            "extensions": [".csv"],
            "csv": {
                "header": True,
                "delimiter": ",",
                "quote": '"',
                "escape": '"',
                "encoding": "UTF-8",
                "multiline": False,
            },
            "null_values": [""],
            "columns": [
                {"name": "id", "type": "string", "format": None, "required": True},
                {"name": "at", "type": "timestamp", "format": "yyyy-MM-dd HH:mm:ss", "required": False},
                {"name": "amount", "type": "decimal(18,4)", "format": None, "required": False},
            ],
            "event_time": "at",
            "batch_date": {"from": "key", "pattern": None},
            "feeds": [
                {
                    "entity": "orders",
                    "key": ["order_id"],
                    "filter": None,
                    "select": [
                        {"column": "order_id", "type": "string", "nullable": False, "expression": "id"},
                        {
                            "column": "amount",
                            "type": "decimal(18,4)",
                            "nullable": True,
                            "expression": "amount",
                        },
                        {
                            "column": "effective_at",
                            "type": "timestamp",
                            "nullable": False,
                            "expression": "_effective_at",
                        },
                    ],
                }
            ],
            "quality": [
                {
                    "name": "range_amount",
                    "rule": "range",
                    "severity": "error",
                    "column": "amount",
                    "min": 0,
                    "row_level": True,
                }
            ],
        }
    },
}


def warm_up(spark: SparkSession) -> float:
    """Runs the whole job once on a two-row batch in a temporary folder, so that the first real
    run finds Python workers started and the JVM's code paths compiled. Returns the seconds taken."""
    from pipeline_spark.job import execute

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pipeline-spark-warmup-") as folder:
        root = Path(folder)
        raw = root / "raw" / "warmup" / "dt=2017-01-01" / "warmup.csv"
        raw.parent.mkdir(parents=True)
        raw.write_text("id,at,amount\na,2017-01-01 10:00:00,1.50\na,2017-01-01 10:00:00,1.50\nb,x,-1\n")
        (root / "bundle.json").write_text(json.dumps(_WARMUP_BUNDLE))
        manifest = {
            "run_id": "warm-up",
            "started_at": "2017-01-01T00:00:00.000Z",
            "contracts_uri": "file://" + str(root / "bundle.json"),
            "bundle_checksum": _WARMUP_BUNDLE["checksum"],
            "inputs": [
                {
                    "uri": "file://" + str(raw),
                    "source": "warmup",
                    "key": "warmup/dt=2017-01-01/warmup.csv",
                    "etag": "warm-up",
                    "size": raw.stat().st_size,
                    "format": "csv",
                    "compression": None,
                    "batch_date": "2017-01-01",
                    "uploaded_at": "2017-01-01T00:00:00.000Z",
                    "version": "001483228800000:",
                }
            ],
            "outputs": {
                "curated_uri": "file://" + str(root / "curated") + "/",
                "quarantine_uri": "file://" + str(root / "quarantine") + "/",
                "metrics_uri": "file://" + str(root / "metrics.json"),
            },
        }
        (root / "manifest.json").write_text(json.dumps(manifest))
        execute(spark, "file://" + str(root / "manifest.json"))
    return time.perf_counter() - started


def main() -> int:
    """Entry point of ``python -m pipeline_spark.warm``."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # the JVM and anything else printing to fd 1 now writes to stderr
    sys.stdout = sys.stderr
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    from pipeline_spark.session import local_session

    started = time.perf_counter()
    spark = local_session()
    session_seconds = time.perf_counter() - started
    warm_seconds = warm_up(spark) if os.environ.get("PIPELINE_SPARK_WARMUP", "1") != "0" else 0.0
    log.info(
        json.dumps({"session_seconds": round(session_seconds, 3), "warm_up_seconds": round(warm_seconds, 3)})
    )
    protocol.write(json.dumps({"ready": True}) + "\n")
    protocol.flush()
    try:
        serve(spark, sys.stdin, protocol)
    finally:
        try:
            spark.stop()
        except Exception:  # a session whose JVM is gone cannot be stopped cleanly
            log.exception("stopping the Spark session failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
