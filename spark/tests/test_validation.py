"""Row validation on tiny inline frames: typed values, quarantine reasons and their precedence."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from chispa import assert_df_equality

from pipeline_spark.contracts import SourceColumn
from pipeline_spark.reading import RAW_SCHEMA
from pipeline_spark.validation import FileLineage, RunValues, typed_value, validate_source

LINEAGE = FileLineage(
    uris=("file:///raw/order_items/dt=2017-01-05/order_items-2017-01-05.csv",),
    batch_dates=("2017-01-05",),
    uploaded_at=("2017-01-05 23:00:00.000",),
)
RUN = RunValues(run_id="run-1", ingested_at="2026-11-21 19:47:00.000")


def raw_frame(spark, rows):
    """(values or None for a malformed record) -> RAW_SCHEMA rows with sequence = line - 2."""
    records = []
    for index, values in enumerate(rows):
        malformed = "expected 7 fields, found 2" if values is None else None
        records.append((0, index, index + 2, malformed, "x,y" if values is None else None, values, None))
    return spark.createDataFrame(records, RAW_SCHEMA)


ROWS = [
    ["o1", "1", "p", "s", "2017-01-05 10:00:00", "12.50", ""],  # valid
    ["o2", "1.5", "p", "s", "", "12.5", ""],  # int with a fraction
    ["o3", "99999999999", "p", "s", "", "1", ""],  # int overflow
    ["o4", "2", "p", "s", "2017-13-45 99:00:00", "1", ""],  # impossible timestamp
    ["o5", "2", "p", "s", "not a date", "1", ""],
    ["o6", "2", "p", "s", "", "abc", ""],  # non-numeric price
    ["o7", "2", "p", "s", "", "12,5", ""],  # decimal comma
    ["o8", "2", "p", "s", "", "12.345", ""],  # more decimals than the scale: would be rounded
    ["o9", " 7 ", "p", "s", "", "+12.340", "0"],  # spaces, sign and trailing zeros are fine
    ["", "x", "p", "s", "", "-1", ""],  # missing key beats invalid type and rule
    ["o10", "x", "", "s", "", "1", ""],  # missing product beats the earlier column's invalid type
    ["o11", "3", "p", "s", "", "-1.00", "-2"],  # two rule failures: first column in contract order
    ["o12", "3", "p", "s", "", "1.00", "-2"],
    None,  # malformed record
]


def test_reasons_precedence_and_typed_values(spark, bundle):
    validated = validate_source(
        raw_frame(spark, ROWS), bundle.sources["order_items"], bundle.entities, LINEAGE, RUN
    )
    actual = validated.select(
        "_source_line",
        "_reason",
        "_reason_column",
        "order_item_id",
        "shipping_limit_date",
        "price",
        "freight_value",
    )
    expected = spark.createDataFrame(
        [
            (2, None, None, 1, datetime(2017, 1, 5, 10), Decimal("12.50"), None),
            (3, "invalid_type", "order_item_id", None, None, Decimal("12.50"), None),
            (4, "invalid_type", "order_item_id", None, None, Decimal("1.00"), None),
            (5, "invalid_type", "shipping_limit_date", 2, None, Decimal("1.00"), None),
            (6, "invalid_type", "shipping_limit_date", 2, None, Decimal("1.00"), None),
            (7, "invalid_type", "price", 2, None, None, None),
            (8, "invalid_type", "price", 2, None, None, None),
            (9, "invalid_type", "price", 2, None, None, None),
            (10, None, None, 7, None, Decimal("12.34"), Decimal("0.00")),
            (11, "missing_required", "order_id", None, None, Decimal("-1.00"), None),
            (12, "missing_required", "product_id", None, None, Decimal("1.00"), None),
            (13, "rule_violation", "price", 3, None, Decimal("-1.00"), Decimal("-2.00")),
            (14, "rule_violation", "freight_value", 3, None, Decimal("1.00"), Decimal("-2.00")),
            (15, "malformed_row", None, None, None, None, None),
        ],
        "_source_line int, _reason string, _reason_column string, order_item_id int, "
        "shipping_limit_date timestamp, price decimal(12,2), freight_value decimal(12,2)",
    )
    assert_df_equality(
        actual.filter("_record_seq >= 0"), expected, ignore_row_order=True, ignore_nullable=True
    )


def test_lineage_values_and_effective_time(spark, bundle):
    validated = validate_source(
        raw_frame(spark, ROWS[:1]), bundle.sources["order_items"], bundle.entities, LINEAGE, RUN
    )
    row = validated.select(
        "_run_id", "_source_file", "_ingested_at", "_batch_date", "_event_time", "_effective_at", "__pass0"
    ).first()
    assert row.asDict() == {
        "_run_id": "run-1",
        "_source_file": LINEAGE.uris[0],
        "_ingested_at": datetime(2026, 11, 21, 19, 47),
        "_batch_date": datetime(2017, 1, 5),
        "_event_time": None,  # order_items names no event-time column
        "_effective_at": datetime(2017, 1, 5),  # falls back to the batch date
        "__pass0": True,
    }


@pytest.mark.parametrize(
    ("kind", "fmt", "values", "expected"),
    [
        ("date", "yyyy-MM-dd", ["2017-02-28", "2017-02-30", "28/02/2017"], [date(2017, 2, 28), None, None]),
        (
            "timestamp",
            "dd/MM/yyyy HH:mm",
            ["05/01/2017 10:30", "2017-01-05 10:30"],
            [datetime(2017, 1, 5, 10, 30), None],
        ),
        ("boolean", None, ["true", "0", "maybe"], [True, False, None]),
        ("double", None, ["1e3", "-.5", "NaN", "1,5"], [1000.0, -0.5, None, None]),
        ("bigint", None, ["9007199254740993", "1.0"], [9007199254740993, None]),
        ("decimal(10,0)", None, ["12", "12.0", "12.5"], [Decimal(12), Decimal(12), None]),
    ],
)
def test_typed_value_never_guesses(spark, kind, fmt, values, expected):
    frame = spark.createDataFrame([(value,) for value in values], "v string")
    column = SourceColumn(name="c", type=kind, format=fmt, required=False)
    actual = [row[0] for row in frame.selectExpr(typed_value("v", column)).collect()]
    assert actual == expected
