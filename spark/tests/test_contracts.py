"""The contract reader: where a source's batch date comes from (the contract's optional ``batch_date``)."""

import json

import pytest

from pipeline_spark.contracts import BatchDate, parse_bundle
from pipeline_spark.errors import ContractError


def _with_batch_date(bundle_document: dict, batch_date) -> str:
    document = json.loads(json.dumps(bundle_document))
    if batch_date is None:
        document["sources"]["orders"].pop("batch_date", None)
    else:
        document["sources"]["orders"]["batch_date"] = batch_date
    return json.dumps(document)


def test_batch_date_from_the_key_by_default(bundle_document):
    assert bundle_document["sources"]["orders"]["batch_date"] == {"from": "key", "pattern": None}
    assert parse_bundle(json.dumps(bundle_document)).sources["orders"].batch_date == BatchDate("key", None)
    # A bundle compiled before the field existed reads the same.
    older = parse_bundle(_with_batch_date(bundle_document, None))
    assert older.sources["orders"].batch_date == BatchDate("key", None)


def test_batch_date_from_the_file_name(bundle_document):
    pattern = r"^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})\.csv$"
    bundle = parse_bundle(_with_batch_date(bundle_document, {"from": "file_name", "pattern": pattern}))
    assert bundle.sources["orders"].batch_date == BatchDate("file_name", pattern)


def test_batch_date_from_a_column(bundle_document):
    batch_date = {"from": "column", "column": "order_purchase_timestamp"}
    bundle = parse_bundle(_with_batch_date(bundle_document, batch_date))
    assert bundle.sources["orders"].batch_date == BatchDate("column", None, "order_purchase_timestamp")


@pytest.mark.parametrize(
    "batch_date",
    [
        {"from": "file_name", "pattern": None},
        {"from": "column", "pattern": None},
        {"from": "column", "column": ""},
        {"pattern": "x"},
    ],
)
def test_a_batch_date_it_does_not_understand_is_refused(bundle_document, batch_date):
    with pytest.raises(ContractError, match=r"sources\.orders\.batch_date"):
        parse_bundle(_with_batch_date(bundle_document, batch_date))
