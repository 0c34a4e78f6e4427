"""Warm mode: the JSON-lines protocol the local stage speaks to a long-lived Spark process."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import file_uri
from pipeline_spark.warm import serve
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
