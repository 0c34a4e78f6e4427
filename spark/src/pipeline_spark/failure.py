"""Where a failed cold run says why: the error document next to the run's metrics.

EMR Serverless reports every failed job run to the workflow as ``States.TaskFailed`` with a short
``stateDetails``; the job's ``main()`` therefore writes ``describe(error)`` to
``metrics/<run_id>.error.json`` (docs/interfaces.md), which RecordRun reads for the run record.
"""

import json
import logging
from typing import Any, Optional

from pyspark.sql import SparkSession

from pipeline_spark import fs
from pipeline_spark.manifest import parse_manifest

log = logging.getLogger("pipeline_spark")


def error_uri(metrics_uri: str) -> str:
    """The error document's URI, beside the metrics JSON.

    >>> error_uri("s3://curated/metrics/run-1.json")
    's3://curated/metrics/run-1.error.json'
    """
    stem = metrics_uri[: -len(".json")] if metrics_uri.endswith(".json") else metrics_uri
    return stem + ".error.json"


def write_error_document(spark: SparkSession, manifest_uri: str, report: dict[str, Any]) -> Optional[str]:
    """Writes ``{"run_id", **report}`` beside the run's metrics; returns its URI, or None when the
    manifest cannot be read (a bad manifest has no metrics URI) or the write fails. Never raises:
    the job is failing already, and its own error is the one to report."""
    try:
        manifest = parse_manifest(fs.read_text(spark, manifest_uri))
        uri = error_uri(manifest.metrics_uri)
        document = {"run_id": manifest.run_id, **report}
        fs.write_bytes(spark, uri, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
        return uri
    except Exception:
        log.warning("no error document written for %s", manifest_uri, exc_info=True)
        return None
