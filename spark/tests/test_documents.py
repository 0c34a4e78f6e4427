"""The exchanged documents: the job validates what TypeScript writes against the schemas TypeScript exports
(``src/documents`` -> ``pipeline_spark/schemas``), and writes metrics that the TypeScript schema accepts."""

import copy
import json
from pathlib import Path

import pytest

from pipeline_spark.documents import DocumentError, check, validate
from pipeline_spark.errors import ManifestError
from pipeline_spark.manifest import parse_manifest

REPO = Path(__file__).resolve().parents[2]
# Written by PlanBatch in test/documents/documents.test.ts (vitest keeps it equal to what PlanBatch writes).
MANIFEST_SAMPLE = REPO / "test" / "events" / "spark" / "manifest.json"


@pytest.fixture
def manifest_document() -> dict:
    return json.loads(MANIFEST_SAMPLE.read_text())


def test_a_manifest_planbatch_wrote_is_read_as_written(manifest_document):
    manifest = parse_manifest(json.dumps(manifest_document))
    assert manifest.run_id == "run-20170105-0123456789abcdef"
    assert [(i.source, i.key, i.format, i.gzip, i.batch_date, i.size) for i in manifest.inputs] == [
        ("orders", "orders/dt=2017-01-05/orders.csv.gz", "csv", True, "2017-01-05", 1234),
        ("payments", "payments/dt=2017-01-05/payments.jsonl", "jsonl", False, "2017-01-05", 1234),
    ]
    assert manifest.metrics_uri == manifest_document["outputs"]["metrics_uri"]


def test_the_classification_is_the_manifests_not_rederived_from_the_key(manifest_document):
    manifest_document["inputs"][0].update(batch_date=None, format="jsonl", compression=None)
    (first, _) = parse_manifest(json.dumps(manifest_document)).inputs
    assert (first.batch_date, first.format, first.gzip) == (None, "jsonl", False)


@pytest.mark.parametrize("run_id", ["", "-run", "run.1", "run=1", "x'; DROP", "a" * 81])
def test_the_one_run_id_rule_comes_from_the_typescript_schema(manifest_document, run_id):
    manifest_document["run_id"] = run_id
    with pytest.raises(ManifestError, match=r"run manifest: run_id: must match"):
        parse_manifest(json.dumps(manifest_document))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["inputs"][1].pop("version"), r"inputs\[1\]: missing required field version"),
        (lambda d: d["inputs"][0].update(size=-1), r"inputs\[0\]\.size: must be at least 0"),
        (lambda d: d.update(extra=True), r"extra: is not a field of this document"),
        (lambda d: d.update(schema_version=2), r"schema_version: must be 1"),
        (lambda d: d["outputs"].pop("metrics_uri"), r"outputs: missing required field metrics_uri"),
    ],
)
def test_a_manifest_the_typescript_schema_refuses_is_refused_with_its_path(manifest_document, change, path):
    change(manifest_document)
    with pytest.raises(ManifestError, match=path):
        parse_manifest(json.dumps(manifest_document))


def test_an_absent_schema_version_reads_as_version_1(manifest_document):
    manifest_document.pop("schema_version")
    assert parse_manifest(json.dumps(manifest_document)).run_id == "run-20170105-0123456789abcdef"


def test_a_schema_keyword_the_validator_does_not_know_fails_instead_of_passing_unchecked():
    with pytest.raises(ValueError, match="unsupported keywords"):
        check({"type": "object", "not": {}}, {})


def test_the_shipped_bundle_and_a_recorded_metrics_document_validate(bundle_document):
    validate("bundle", bundle_document)
    validate(
        "metrics",
        json.loads((REPO / "test/events/spark/metrics-run-20170104-4331c40687129753.json").read_text()),
    )
    broken = copy.deepcopy(bundle_document)
    broken["sources"]["orders"]["feeds"][0]["key"] = "order_id"
    with pytest.raises(DocumentError, match=r"sources\.orders\.feeds\[0\]\.key: expected array"):
        validate("bundle", broken)
