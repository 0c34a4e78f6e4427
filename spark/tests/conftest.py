"""Shared fixtures: one local SparkSession for the whole suite (2 shuffle partitions, no UI)."""

import json
from pathlib import Path

import pytest

from pipeline_spark.contracts import Bundle, parse_bundle
from pipeline_spark.session import local_session

REPO = Path(__file__).resolve().parents[2]
BUNDLE_PATH = REPO / ".build" / "contracts.bundle.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def spark():
    session = local_session(master="local[2]", app_name="pipeline-spark-tests")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def bundle_document() -> dict:
    assert BUNDLE_PATH.exists(), f"{BUNDLE_PATH} is missing: run `make .build/contracts.bundle.json`"
    return json.loads(BUNDLE_PATH.read_text())


@pytest.fixture(scope="session")
def bundle(bundle_document) -> Bundle:
    return parse_bundle(json.dumps(bundle_document))


@pytest.fixture(scope="session")
def sales_bundle_document(bundle_document) -> dict:
    """The shipped bundle plus the test-only `sales_export` source (a denormalized export)."""
    document = json.loads(json.dumps(bundle_document))
    document["sources"]["sales_export"] = json.loads((FIXTURES / "sales_export.compiled.json").read_text())
    return document


@pytest.fixture(scope="session")
def sales_bundle(sales_bundle_document) -> Bundle:
    return parse_bundle(json.dumps(sales_bundle_document))
