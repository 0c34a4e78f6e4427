"""Warm mode: the JSON-lines protocol the local stage speaks to a long-lived Spark process."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from helpers import file_uri
from pipeline_spark.errors import ContractError, describe
from pipeline_spark.failure import error_uri, write_error_document
from pipeline_spark.warm import handle, serve
from test_job import olist_batch

SRC = Path(__file__).resolve().parents[1] / "src"


def test_serve_answers_each_request_and_survives_failures(spark, bundle_document, tmp_path):
    batch = olist_batch(tmp_path)
    manifest_uri = batch.write_manifest(bundle_document)
    missing = file_uri(tmp_path / "nowhere.json")
    requests = [
        json.dumps({"id": "r1", "manifest_uri": manifest_uri}),
        "",
        "not json",
        json.dumps({"id": "r3", "manifest_uri": missing}),
        json.dumps({"id": "r4"}),
    ]
    out = io.StringIO()
    assert serve(spark, requests, out) == 4
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert answers[0]["id"] == "r1"
    assert answers[0]["ok"] is True
    assert answers[0]["metrics_uri"] == file_uri(tmp_path / "out" / "metrics" / "run-test-1.json")
    assert answers[0]["seconds"] > 0
    assert (tmp_path / "out" / "metrics" / "run-test-1.json").exists()
    assert [(a["id"], a["ok"], a.get("error_type")) for a in answers[1:]] == [
        (None, False, "ManifestError"),
        ("r3", False, "InputError"),
        ("r4", False, "ManifestError"),
    ]
    assert "nowhere.json" in answers[2]["message"]


def test_warm_process_speaks_only_json_lines_on_stdout(bundle_document, tmp_path):
    batch = olist_batch(tmp_path)
    manifest_uri = batch.write_manifest(bundle_document)
    env = dict(os.environ, PYTHONPATH=str(SRC), PIPELINE_SPARK_MASTER="local[1]")
    requests = json.dumps({"id": "a", "manifest_uri": manifest_uri}) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline_spark.warm"],
        input=requests,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert json.loads(lines[0]) == {"ready": True}
    answer = json.loads(lines[1])
    assert (answer["id"], answer["ok"], len(lines)) == ("a", True, 2), done.stderr[-2000:]
    assert json.loads((tmp_path / "out" / "metrics" / "run-test-1.json").read_text())["conservation"]["holds"]


def test_a_failed_run_is_answered_with_the_exception_class_and_its_first_line(spark):
    """A JVM error names its Java class and message, not py4j's "An error occurred while calling o12.x"
    nor a Python traceback; Spark refusing a query keeps the class PySpark converted it to."""
    from py4j.protocol import Py4JJavaError

    def jvm_error(_spark, _uri):  # a JVM exception PySpark does not convert: py4j's own error
        spark._jvm.java.util.Objects.requireNonNull(None, "manifest is null")

    def converted_error(_spark, _uri):  # one PySpark converts
        spark._jvm.java.lang.Integer.parseInt("not a number")

    def analysis_error(_spark, _uri):
        return spark.sql("SELECT order_idd FROM VALUES (1) AS t(order_id)").schema

    def parse_error(_spark, _uri):
        return spark.sql("SELECT (").schema

    request = json.dumps({"id": "r", "manifest_uri": "file:///m.json"})
    with pytest.raises(Py4JJavaError, match="An error occurred while calling"):
        jvm_error(spark, "")
    assert handle(spark, request, runner=jvm_error) == {
        "id": "r",
        "ok": False,
        "error_type": "NullPointerException",
        "exception": "java.lang.NullPointerException",
        "message": "manifest is null",
        "retryable": False,
    }
    assert handle(spark, request, runner=converted_error) == {
        "id": "r",
        "ok": False,
        "error_type": "NumberFormatException",
        "exception": "java.lang.NumberFormatException",
        "message": 'For input string: "not a number"',
        "retryable": False,
    }
    answer = handle(spark, request, runner=analysis_error)
    assert (answer["error_type"], answer["exception"], answer["retryable"]) == (
        "AnalysisException",
        "org.apache.spark.sql.catalyst.ExtendedAnalysisException",
        False,
    )
    assert answer["message"].startswith("[UNRESOLVED_COLUMN.WITH_SUGGESTION] ")
    assert "\n" not in answer["message"]
    assert "JVM stacktrace" not in answer["message"]
    answer = handle(spark, request, runner=parse_error)
    assert (answer["error_type"], answer["exception"]) == (
        "ParseException",
        "org.apache.spark.sql.catalyst.parser.ParseException",
    )
    assert answer["message"].startswith("[PARSE_SYNTAX_ERROR] ")


def test_serve_stops_after_an_answer_saying_the_session_is_gone(spark):
    """A lost JVM is the one retryable failure: the process answers, then exits for a fresh one."""
    from py4j.protocol import Py4JNetworkError

    def lost(_spark, _uri):
        raise Py4JNetworkError("Answer from Java side is empty")

    requests = [json.dumps({"id": f"r{n}", "manifest_uri": "file:///m.json"}) for n in range(3)]
    out = io.StringIO()
    with mock.patch("pipeline_spark.job.execute", lost):
        assert serve(spark, requests, out) == 1
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert answers == [
        {
            "id": "r0",
            "ok": False,
            "error_type": "Py4JNetworkError",
            "exception": "Py4JNetworkError",
            "message": "Answer from Java side is empty",
            "retryable": True,
        }
    ]


def test_error_document_beside_the_metrics(spark, bundle_document, tmp_path):
    """What the cold job (EMR) leaves for the run record when it fails: describe(error) beside the metrics."""
    batch = olist_batch(tmp_path)
    manifest_uri = batch.write_manifest(bundle_document)
    report = describe(ContractError("source orders: feeds[0] (entity orders): map.order_id: bad"))
    uri = write_error_document(spark, manifest_uri, report)
    assert uri == file_uri(tmp_path / "out" / "metrics" / "run-test-1.error.json")
    assert json.loads((tmp_path / "out" / "metrics" / "run-test-1.error.json").read_text()) == {
        "run_id": "run-test-1",
        "error_type": "ContractError",
        "exception": "ContractError",
        "message": "source orders: feeds[0] (entity orders): map.order_id: bad",
        "retryable": False,
    }
    assert write_error_document(spark, file_uri(tmp_path / "nowhere.json"), report) is None
    assert error_uri("s3://curated/metrics/run-1.json") == "s3://curated/metrics/run-1.error.json"


def test_cold_job_reports_a_bad_feed_expression_by_class_and_beside_the_metrics(bundle_document, tmp_path):
    """spark/job.py (EMR's entry point): a contract Spark cannot analyse ends with the report as its last
    JSON log line (not "Closing down clientserver connection") and the error document for RecordRun."""
    document = json.loads(json.dumps(bundle_document))
    select = document["sources"]["orders"]["feeds"][0]["select"]
    select[0] = {**select[0], "expression": "no_such_column"}
    manifest_uri = olist_batch(tmp_path).write_manifest(document)
    env = dict(os.environ, PYTHONPATH=str(SRC), PIPELINE_SPARK_MASTER="local[1]")
    done = subprocess.run(
        [sys.executable, str(SRC.parent / "job.py"), "--manifest", manifest_uri],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    reports = [
        line[line.index('{"error_type"') :] for line in done.stderr.splitlines() if '{"error_type"' in line
    ]
    assert len(reports) == 1, done.stderr[-2000:]
    report = json.loads(reports[0])
    assert (report["error_type"], report["exception"], report["retryable"]) == (
        "ContractError",
        "ContractError",
        False,
    )
    assert "source orders: feeds[0]" in report["message"]
    assert "no_such_column" in report["message"]
    document = json.loads((tmp_path / "out" / "metrics" / "run-test-1.error.json").read_text())
    assert document == {"run_id": "run-test-1", **report}


def test_the_warm_up_batch_is_a_valid_bundle_and_manifest_for_the_job():
    # The warm process runs this batch before it answers anything: a bundle the job refuses (e.g. after a
    # field is added to the bundle document) would stop every local run at start-up.
    import json

    from pipeline_spark.contracts import parse_bundle
    from pipeline_spark.warm import _WARMUP_BUNDLE

    bundle = parse_bundle(json.dumps(_WARMUP_BUNDLE))
    assert bundle.entities["orders"].curated_column_names(
        ("_run_id", "_source_file", "_source_line", "_ingested_at")
    )[:3] == ["order_id", "amount", "effective_at"]
