"""A source with several feeds: one denormalized export feeds customers, products, orders and items.

The test contract (fixtures/contracts/sales_export.yaml) differs from the shipped sources on purpose:
';' delimiter, ISO-8859-1, a day-first timestamp format, 'NA' as null token, filters, derived values.
Every expected row and count below is worked out by hand from docs/semantics.md.
"""

from datetime import datetime
from decimal import Decimal

import pytest
from chispa import assert_df_equality

from helpers import Batch

HEADER = (
    "order_ref;ordered_at;status;buyer_id;buyer_person;buyer_zip;buyer_city;buyer_state;"
    "line_no;sku;sku_category;sku_weight_kg;qty;unit_price;shipping"
)
LINES = [
    "A1;05/01/2017 10:30;DELIVERED;b1;p1;1234;São Paulo;sp;1;sku1;móveis;1.250;2;10.00;1.50",  # 2
    "A1;05/01/2017 10:30;DELIVERED;b1;p1;1234;São Paulo;sp;2;sku2;NA;0.5;NA;5.50;NA",  # 3
    "A1;05/01/2017 10:30;DELIVERED;b1;p1;1234;São Paulo;sp;3;NA;NA;NA;1;2.00;0",  # 4: fee line, no sku
    'A2;05/01/2017 11:00;shipped;b2;p2;"01310";"Rio; de Janeiro";rj;1;sku1;móveis;1.250;1;9.99;0',  # 5
    "A3;32/01/2017 10:00;DELIVERED;b3;p3;1000;X;sp;1;sku3;c;1;1;1.00;0",  # 6: invalid date
    "A4;05/01/2017 12:00;LOST;b4;p4;1000;X;sp;1;sku4;c;1;1;1.00;0",  # 7: status not accepted
    "A5;05/01/2017 12:00;DELIVERED;b5;p5;1000;X;sp;1;sku5;c;1;1;-3.00;0",  # 8: negative price
    "A6;05/01/2017 12:00;DELIVERED;NA;p6;1000;X;sp;1;sku6;c;1;abc;1.00;0",  # 9: missing buyer + bad qty
    "A7;05/01/2017 12:00;DELIVERED",  # 10: 3 fields
    'A2;05/01/2017 11:00;shipped;b2;p2;"01310";"Rio; de Janeiro";rj;1;sku1;móveis;1.250;1;9.99;0',  # 11
    'A8;05/01/2017 13:00;canceled;b6;p7;99999;"multi\nline city";mg;1;sku7;"cat ""q""";2;1;1,50;0',  # 12-13
    "A9;05/01/2017 14:00;delivered;b7;p8;NA;NA;NA;1;sku8;NA;NA;NA;3.333;NA",  # 14: too many decimals
    "A10;05/01/2017 15:00;delivered;b8;p9;4321;Recife;pe;1;sku9;eletrônicos;0.1;3;7.00;0.10",  # 15
]
CONTENT = ("\n".join([HEADER, *LINES]) + "\n").encode("iso-8859-1")


def ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


@pytest.fixture(scope="module")
def run(spark, sales_bundle, tmp_path_factory):
    batch = Batch(tmp_path_factory.mktemp("sales"))
    uri = batch.add("sales_export", "sales_export-2017-01-05.csv", CONTENT)
    metrics = batch.run(spark, sales_bundle)
    return batch, uri, metrics


def curated(spark, batch, entity, columns):
    return batch.curated(spark, entity).select(*columns)


def test_customers_fed_from_the_export(spark, run):
    batch, uri, _ = run
    columns = ["customer_id", "customer_unique_id", "zip_code_prefix", "city", "state", "effective_at"]
    expected = spark.createDataFrame(
        [
            ("b1", "p1", "01234", "são paulo", "SP", ts("2017-01-05 10:30"), uri, 4),
            ("b2", "p2", "01310", "rio; de janeiro", "RJ", ts("2017-01-05 11:00"), uri, 11),
            ("b8", "p9", "04321", "recife", "PE", ts("2017-01-05 15:00"), uri, 15),
        ],
        "customer_id string, customer_unique_id string, zip_code_prefix string, city string, state string, "
        "effective_at timestamp, _source_file string, _source_line int",
    )
    actual = curated(spark, batch, "customers", [*columns, "_source_file", "_source_line"])
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_products_filtered_to_lines_with_a_sku_and_weight_derived(spark, run):
    # A dimension keeps one row per key and effective time: sku1 seen at 10:30 and at 11:00 is two versions.
    batch, _, _ = run
    expected = spark.createDataFrame(
        [
            ("sku1", None, "móveis", None, Decimal("1250.00"), ts("2017-01-05 10:30"), 2),
            ("sku1", None, "móveis", None, Decimal("1250.00"), ts("2017-01-05 11:00"), 11),
            ("sku2", None, None, None, Decimal("500.00"), ts("2017-01-05 10:30"), 3),
            ("sku9", None, "eletrônicos", None, Decimal("100.00"), ts("2017-01-05 15:00"), 15),
        ],
        "product_id string, product_name string, category_name string, name_length int, "
        "weight_g decimal(10,2), effective_at timestamp, _source_line int",
    )
    columns = ["product_id", "product_name", "category_name", "name_length", "weight_g", "effective_at"]
    actual = curated(spark, batch, "products", [*columns, "_source_line"])
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_orders_one_row_per_order(spark, run):
    batch, _, _ = run
    expected = spark.createDataFrame(
        [
            ("A1", "b1", "delivered", ts("2017-01-05 10:30"), None, 4),
            ("A2", "b2", "shipped", ts("2017-01-05 11:00"), None, 11),
            ("A10", "b8", "delivered", ts("2017-01-05 15:00"), None, 15),
        ],
        "order_id string, customer_id string, status string, purchased_at timestamp, "
        "approved_at timestamp, _source_line int",
    )
    columns = ["order_id", "customer_id", "status", "purchased_at", "approved_at", "_source_line"]
    assert_df_equality(
        curated(spark, batch, "orders", columns), expected, ignore_row_order=True, ignore_nullable=True
    )


def test_order_items_with_defaults_and_exact_types(spark, run):
    batch, _, _ = run
    # In staging column order: money after the lineage columns (test_job.py: curated column order).
    schema = (
        "order_id string, order_item_id int, product_id string, seller_id string, "
        "shipping_limit_at timestamp, quantity int, effective_at timestamp, "
        "_run_id string, _source_line int, unit_price decimal(18,4), freight_value decimal(18,4)"
    )
    rows = [
        ("A1", 1, "sku1", "reseller", None, 2, Decimal("10.00"), Decimal("1.50"), ts("2017-01-05 10:30"), 2),
        ("A1", 2, "sku2", "reseller", None, 1, Decimal("5.50"), Decimal("0.00"), ts("2017-01-05 10:30"), 3),
        ("A2", 1, "sku1", "reseller", None, 1, Decimal("9.99"), Decimal("0.00"), ts("2017-01-05 11:00"), 11),
        ("A10", 1, "sku9", "reseller", None, 3, Decimal("7.00"), Decimal("0.10"), ts("2017-01-05 15:00"), 15),
    ]
    expected = spark.createDataFrame(
        [(*row[:6], row[8], batch.run_id, row[9], row[6], row[7]) for row in rows], schema
    )
    actual = batch.curated(spark, "order_items").drop("_source_file", "_ingested_at")
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_quarantine_keeps_raw_text_reason_column_and_line(spark, run):
    batch, uri, _ = run
    actual = batch.quarantine(spark, "sales_export").select(
        "_source_line", "_reason", "_reason_column", "order_ref", "ordered_at", "unit_price", "_raw_record"
    )
    expected = spark.createDataFrame(
        [
            (6, "invalid_type", "ordered_at", "A3", "32/01/2017 10:00", "1.00", None),
            (7, "rule_violation", "status", "A4", "05/01/2017 12:00", "1.00", None),
            (8, "rule_violation", "unit_price", "A5", "05/01/2017 12:00", "-3.00", None),
            (9, "missing_required", "buyer_id", "A6", "05/01/2017 12:00", "1.00", None),
            (10, "malformed_row", None, None, None, None, "A7;05/01/2017 12:00;DELIVERED"),
            (12, "invalid_type", "unit_price", "A8", "05/01/2017 13:00", "1,50", None),
            (14, "invalid_type", "unit_price", "A9", "05/01/2017 14:00", "3.333", None),
        ],
        "_source_line int, _reason string, _reason_column string, order_ref string, ordered_at string, "
        "unit_price string, _raw_record string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    assert {row._source_file for row in batch.quarantine(spark, "sales_export").collect()} == {uri}


def test_per_file_counts_row_counted_once_across_feeds(run):
    _, uri, metrics = run
    source = metrics["sources"]["sales_export"]
    (file,) = source["files"]
    assert file["uri"] == uri
    assert (file["rows_read"], file["rows_quarantined"], file["rows_curated"]) == (13, 7, 5)
    assert (file["exact_duplicates"], file["superseded"], file["rows_filtered"]) == (1, 0, 0)
    assert file["quarantined_by_reason"] == {
        "malformed_row": 1,
        "missing_required": 1,
        "invalid_type": 3,
        "rule_violation": 2,
        "too_long": 0,
    }
    assert file["conservation_holds"] is True
    assert metrics["conservation"] == {"holds": True, "failures": []}
    assert source["event_time"] == {"min": "2017-01-05 10:30:00", "max": "2017-01-05 15:00:00"}


def test_per_feed_metrics_and_rules(run):
    _, _, metrics = run
    source = metrics["sources"]["sales_export"]
    figures = {
        name: (e["rows_fed"], e["rows_curated"], e["exact_duplicates"], e["superseded"], e["distinct_keys"])
        for name, e in source["entities"].items()
    }
    assert figures == {
        "customers": (6, 3, 3, 0, 3),
        "products": (5, 4, 1, 0, 3),  # sku1 at two effective times: two versions, nothing superseded
        "orders": (6, 3, 3, 0, 3),
        "order_items": (5, 4, 1, 0, 4),
    }
    assert source["entities"]["products"]["null_counts"]["category_name"] == 1
    assert source["entities"]["order_items"]["sums"] == {"unit_price": "32.49", "freight_value": "1.60"}
    rules = {name: (rule.get("evaluated"), rule.get("failed")) for name, rule in source["rules"].items()}
    assert rules == {
        "accepted_values_status": (8, 1),
        "range_unit_price": (8, 1),
        "regex_buyer_zip": (6, 0),
        "not_null_sku_category": (6, 2),
        "unique_order_items": (5, 1),
        "max_reject_rate": (13, 7),
    }
    assert metrics["entities"]["order_items"]["sums"] == {"unit_price": "32.49", "freight_value": "1.60"}


def test_parquet_input_is_read_as_text_then_typed_by_contract(spark, sales_bundle, tmp_path):
    frame = spark.createDataFrame(
        [
            (
                "P1",
                datetime(2017, 1, 5, 9),
                "delivered",
                "b1",
                "p1",
                "1234",
                1,
                "skuA",
                Decimal("0.200"),
                2,
                "3.50",
                "x",
            ),
            (
                "P2",
                datetime(2017, 1, 5, 10),
                "delivered",
                "b2",
                "p2",
                None,
                1,
                "skuB",
                None,
                None,
                "abc",
                "y",
            ),
        ],
        "order_ref string, ordered_at timestamp, status string, buyer_id string, buyer_person string, "
        "buyer_zip string, line_no int, sku string, sku_weight_kg decimal(10,3), qty int, unit_price string, "
        "extra_col string",
    )
    staging = tmp_path / "staging"
    frame.coalesce(1).write.parquet(str(staging))
    (part,) = staging.glob("part-*.parquet")
    batch = Batch(tmp_path / "run")
    uri = batch.add("sales_export", "sales_export-2017-01-05.parquet", part.read_bytes())
    metrics = batch.run(spark, sales_bundle)

    items = batch.curated(spark, "order_items").select(
        "order_id", "quantity", "unit_price", "freight_value", "effective_at", "_source_file", "_source_line"
    )
    expected = spark.createDataFrame(
        [("P1", 2, Decimal("3.50"), Decimal("0.00"), datetime(2017, 1, 5, 9), uri, None)],
        "order_id string, quantity int, unit_price decimal(18,4), freight_value decimal(18,4), "
        "effective_at timestamp, _source_file string, _source_line int",
    )
    assert_df_equality(items, expected, ignore_nullable=True)
    weights = [row.weight_g for row in batch.curated(spark, "products").orderBy("product_id").collect()]
    assert weights == [Decimal("200.00")]  # skuB's row is quarantined
    quarantined = (
        batch.quarantine(spark, "sales_export").select("order_ref", "_reason", "_reason_column").collect()
    )
    assert [tuple(row) for row in quarantined] == [("P2", "invalid_type", "unit_price")]
    (file,) = metrics["sources"]["sales_export"]["files"]
    assert (file["format"], file["rows_read"], file["rows_curated"], file["rows_quarantined"]) == (
        "parquet",
        2,
        1,
        1,
    )
    assert file["unexpected_columns"] == ["extra_col"]
    assert "buyer_city" in file["missing_columns"]


def test_feed_nulls_are_quarantined_and_rows_no_feed_takes_are_counted(
    spark, sales_bundle_document, tmp_path
):
    import json

    from pipeline_spark.contracts import parse_bundle

    document = json.loads(json.dumps(sales_bundle_document))
    feeds = document["sources"]["sales_export"]["feeds"]
    for feed in feeds:
        not_a10 = "order_ref <> 'A10'"
        feed["filter"] = f"({feed['filter']}) AND {not_a10}" if feed["filter"] else not_a10
    seller = next(s for s in feeds[3]["select"] if s["column"] == "seller_id")
    seller["expression"] = "CASE WHEN order_ref = 'A2' THEN NULL ELSE 'reseller' END"
    batch = Batch(tmp_path)
    batch.add("sales_export", "sales_export-2017-01-05.csv", CONTENT)
    metrics = batch.run(spark, parse_bundle(json.dumps(document)))

    (file,) = metrics["sources"]["sales_export"]["files"]
    figures = (
        "rows_read",
        "rows_quarantined",
        "rows_curated",
        "exact_duplicates",
        "superseded",
        "rows_filtered",
    )
    assert [file[name] for name in figures] == [13, 9, 3, 0, 0, 1]
    assert file["quarantined_by_reason"]["missing_required"] == 3
    assert file["conservation_holds"] is True
    quarantined = batch.quarantine(spark, "sales_export").filter("_reason_column = 'order_items.seller_id'")
    assert sorted(row._source_line for row in quarantined.collect()) == [5, 11]
    orders = sorted(row.order_id for row in batch.curated(spark, "orders").collect())
    assert orders == ["A1"]  # A2 is quarantined, A10 filtered out of every feed


def test_curated_products_and_customers_follow_the_catalogue_in_staging_column_order(
    spark, run, sales_bundle_document
):
    # Appended entity columns (products.product_description, customers.country) follow the lineage columns,
    # where ALTER TABLE ADD COLUMN put them in the staging table (COPY maps Parquet columns by position).
    batch, _, _ = run
    for entity in ("customers", "products"):
        written = [(f.name, f.dataType.simpleString()) for f in batch.curated(spark, entity).schema]
        expected = [
            (c["name"], c["type"]) for c in sales_bundle_document["entities"][entity]["curated_columns"]
        ]
        assert written == expected, entity
        assert written[-1][0] in ("country", "product_description"), entity
