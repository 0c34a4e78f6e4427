"""The whole job on small batches of the shipped sources: formats, outputs, metrics and guarantees."""

import json
import re
from datetime import datetime
from decimal import Decimal

import pytest
from chispa import assert_df_equality

import pipeline_spark.job as job_module
from helpers import Batch, file_uri
from pipeline_spark.contracts import parse_bundle
from pipeline_spark.documents import validate
from pipeline_spark.errors import ConservationError, ContractError
from pipeline_spark.job import execute

ORDERS_HEADER = (
    "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
    "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date"
)
# BOM, CRLF line ends, values quoted only sometimes, no final newline.
ORDERS = "\ufeff" + "\r\n".join(
    [
        ORDERS_HEADER,
        'o1,c1,"delivered",2017-01-05 10:00:00,2017-01-05 10:10:00,,,2017-01-20 00:00:00',
        "o2,c2,shipped,2017-01-05 11:00:00,,,,",
    ]
)
ITEMS = (
    "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value\n"
    "o1,1,p1,s1,2017-01-09 10:00:00,10.00,1.50\n"
    "o1,2,p2,s1,2017-01-09 10:00:00,5.00,\n"
)
PAYMENTS_CSV = (
    "order_id,payment_sequential,payment_type,payment_installments,payment_value\n"
    "o1,1,credit_card,3,16.50\n"
    "o2,1,boleto,1,20.00\n"
)
# The gateway's JSON lines repeat o2's payment with another value and add one for o3. Rows of different
# files never supersede each other in Spark (the warehouse picks the newest per key, where a file may later
# be replaced by a newer version): both o2 rows are curated, and the warehouse takes the JSON row
# ('payments-...jsonl' sorts after 'payments-...csv' at equal effective time).
PAYMENTS_JSONL = (
    '{"order_id": "o2", "payment_sequential": 1, "payment_type": "boleto", "payment_installments": 1,'
    ' "payment_value": 21.00}\n'
    '{"order_id": "o3", "payment_sequential": "1", "payment_type": "voucher", "payment_value": "5"}\n'
)
CUSTOMERS = (
    "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state\n"
    'c1,p1,01310,"sao paulo",sp\n'
    'c2,p2,"04571",rio,rj\n'
)


def olist_batch(tmp_path, run_id="run-test-1"):
    batch = Batch(tmp_path, run_id=run_id)
    batch.add("orders", "orders-2017-01-05.csv", ORDERS)
    batch.add("order_items", "order_items-2017-01-05.csv.gz", ITEMS)
    batch.add("payments", "payments-2017-01-05.csv", PAYMENTS_CSV)
    batch.add("payments", "payments-2017-01-05.jsonl", PAYMENTS_JSONL)
    batch.add("customers", "customers-2017-01-05.csv", CUSTOMERS)
    return batch


@pytest.fixture(scope="module")
def olist_run(spark, bundle, tmp_path_factory):
    batch = olist_batch(tmp_path_factory.mktemp("olist"))
    return batch, batch.run(spark, bundle)


def test_every_format_in_one_run_and_dedup_within_each_file(spark, olist_run):
    batch, metrics = olist_run
    jsonl = batch.inputs[3]["uri"]
    csv = batch.inputs[2]["uri"]
    expected = spark.createDataFrame(
        [
            ("o1", 1, "credit_card", 3, datetime(2017, 1, 5), csv, 2, Decimal("16.50")),
            ("o2", 1, "boleto", 1, datetime(2017, 1, 5), csv, 3, Decimal("20.00")),
            ("o2", 1, "boleto", 1, datetime(2017, 1, 5), jsonl, 1, Decimal("21.00")),
            ("o3", 1, "voucher", None, datetime(2017, 1, 5), jsonl, 2, Decimal("5.00")),
        ],
        "order_id string, payment_sequential int, payment_type string, installments int, "
        "effective_at timestamp, _source_file string, _source_line int, payment_value decimal(18,4)",
    )
    actual = batch.curated(spark, "payments").drop("_run_id", "_ingested_at")
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    files = {file["key"].rsplit(".", 1)[1]: file for file in metrics["sources"]["payments"]["files"]}
    assert (files["csv"]["rows_curated"], files["csv"]["superseded"], files["jsonl"]["rows_curated"]) == (
        2,
        0,
        2,
    )


def test_bom_crlf_gzip_and_leading_zeros(spark, olist_run):
    batch, _ = olist_run
    orders = batch.curated(spark, "orders").select("order_id", "status", "purchased_at", "_source_line")
    expected = spark.createDataFrame(
        [("o1", "delivered", datetime(2017, 1, 5, 10), 2), ("o2", "shipped", datetime(2017, 1, 5, 11), 3)],
        "order_id string, status string, purchased_at timestamp, _source_line int",
    )
    assert_df_equality(orders, expected, ignore_row_order=True, ignore_nullable=True)
    items = batch.curated(spark, "order_items").select(
        "order_item_id", "quantity", "unit_price", "freight_value"
    )
    expected_items = spark.createDataFrame(
        [(1, 1, Decimal("10.00"), Decimal("1.50")), (2, 1, Decimal("5.00"), Decimal("0.00"))],
        "order_item_id int, quantity int, unit_price decimal(18,4), freight_value decimal(18,4)",
    )
    assert_df_equality(items, expected_items, ignore_row_order=True, ignore_nullable=True)
    zips = sorted(row.zip_code_prefix for row in batch.curated(spark, "customers").collect())
    assert zips == ["01310", "04571"]


def test_curated_schema_has_exact_types(spark, olist_run):
    batch, _ = olist_run
    schema = {
        field.name: field.dataType.simpleString() for field in batch.curated(spark, "order_items").schema
    }
    assert list(schema.items()) == list(
        {
            "order_id": "string",
            "order_item_id": "int",
            "product_id": "string",
            "seller_id": "string",
            "shipping_limit_at": "timestamp",
            "quantity": "int",
            "effective_at": "timestamp",
            "_run_id": "string",
            "_source_file": "string",
            "_source_line": "int",
            "_ingested_at": "timestamp",
            # Money: 4 decimals, after the lineage columns (added again to staging with the wider type).
            "unit_price": "decimal(18,4)",
            "freight_value": "decimal(18,4)",
        }.items()
    )


def test_curated_files_follow_the_catalogue_in_staging_column_order(spark, bundle_document, olist_run):
    # COPY maps a Parquet file's columns onto the staging table's by position: the bundle's curated_columns
    # (src/contracts/entities.ts, curatedColumns; test/contracts/catalogue.test.ts checks them against the DDL
    # after every migration) are exactly the written files' columns, names, order and types.
    batch, _ = olist_run
    entities = bundle_document["entities"]
    checked = []
    for entity in sorted(entities):
        if not batch.curated_path(entity).exists():
            continue
        written = [(f.name, f.dataType.simpleString()) for f in batch.curated(spark, entity).schema]
        expected = [(c["name"], c["type"]) for c in entities[entity]["curated_columns"]]
        assert written == expected, entity
        checked.append(entity)
    assert {"customers", "order_items", "payments"} <= set(checked)


def test_outputs_are_data_files_only_one_per_small_entity(olist_run):
    batch, metrics = olist_run
    files = batch.output_files()
    assert all(
        re.fullmatch(r"curated/[a-z_]+/run_id=run-test-1/part-\d{5}-[\w-]+\.snappy\.parquet", f)
        for f in files
    )
    entities = sorted(f.split("/")[1] for f in files)
    assert entities == ["customers", "order_items", "orders", "payments"]
    assert metrics["entities"]["payments"]["uri"].endswith("/curated/payments/run_id=run-test-1/")
    assert all(source["quarantine_uri"] is None for source in metrics["sources"].values())


def test_conservation_holds_per_file(olist_run):
    _, metrics = olist_run
    for source in metrics["sources"].values():
        for file in source["files"]:
            accounted = (
                file["rows_curated"]
                + file["rows_quarantined"]
                + file["exact_duplicates"]
                + file["superseded"]
            )
            assert accounted == file["rows_read"] > 0
            assert file["conservation_holds"] is True


def test_same_input_gives_the_same_output(spark, bundle, tmp_path):
    first = olist_batch(tmp_path / "a")
    second = olist_batch(tmp_path / "b")
    metrics = [first.run(spark, bundle), second.run(spark, bundle)]
    for entity in ["orders", "order_items", "payments", "customers"]:
        rows = []
        for batch in (first, second):
            frame = batch.curated(spark, entity).drop("_source_file")
            rows.append(sorted(tuple(row) for row in frame.collect()))
        assert rows[0] == rows[1], entity
    volatile = {"started_at", "finished_at", "seconds", "timings"}
    stable = [json.dumps({k: v for k, v in m.items() if k not in volatile}) for m in metrics]
    assert stable[0] == stable[1].replace(str(tmp_path / "b"), str(tmp_path / "a"))


def test_a_lost_row_breaks_conservation_and_nothing_is_written(spark, bundle, tmp_path, monkeypatch):
    original = job_module.with_dedup_status
    monkeypatch.setattr(
        job_module,
        "with_dedup_status",
        lambda rows, entity: original(rows, entity).filter("_source_line <> 2"),
    )
    batch = olist_batch(tmp_path)
    with pytest.raises(
        ConservationError, match=re.escape("customers-2017-01-05.csv: rows_read 2 != curated 1 ")
    ):
        batch.run(spark, bundle)
    assert batch.output_files() == []


def test_a_line_lost_before_it_became_a_record_breaks_the_line_balance(spark, bundle, tmp_path, monkeypatch):
    # A reader that loses a line (e.g. one record wrongly merged into another) is invisible to the row
    # balance, which starts from the records read; the physical line balance of the file catches it.
    original = job_module.read_text_source
    monkeypatch.setattr(
        job_module,
        "read_text_source",
        lambda spark, scan: [
            frame.filter("_source_line IS NULL OR _source_line <> 2") for frame in original(spark, scan)
        ],
    )
    batch = olist_batch(tmp_path)
    with pytest.raises(
        ConservationError,
        match=re.escape("orders-2017-01-05.csv: 3 physical lines = header 1 + blank 0 + ")
        + ".*2 records expected, 1 read",
    ):
        batch.run(spark, bundle)
    assert batch.output_files() == []


def test_rows_lost_while_writing_are_caught(spark, bundle, tmp_path, monkeypatch):
    original = job_module.curated_rows
    monkeypatch.setattr(job_module, "curated_rows", lambda ranked, entity: original(ranked, entity).limit(1))
    with pytest.raises(ConservationError, match="rows written differ from rows counted"):
        olist_batch(tmp_path).run(spark, bundle)


def test_a_broken_feed_expression_is_named(spark, bundle_document, tmp_path):
    document = json.loads(json.dumps(bundle_document))
    select = document["sources"]["orders"]["feeds"][0]["select"]
    next(s for s in select if s["column"] == "status")["expression"] = "upper(order_state)"
    batch = Batch(tmp_path)
    batch.add("orders", "orders-2017-01-05.csv", ORDERS)
    with pytest.raises(
        ContractError, match=r"source orders: feeds\[0\] \(entity orders\): column status: .*order_state"
    ):
        batch.run(spark, parse_bundle(json.dumps(document)))


def test_unknown_source_unsupported_type_and_corrupt_gzip_are_reported(spark, bundle, tmp_path):
    batch = Batch(tmp_path)
    batch.add("orders", "orders-2017-01-05.csv", ORDERS)
    # A file type the contract does not accept (the trigger routes such keys aside; contracts changed since).
    batch.add("orders", "orders-2017-01-05.parquet", b"PAR1", file_format="parquet")
    batch.add("returns", "returns-2017-01-05.csv", "a,b\n1,2\n")
    batch.add("order_items", "order_items-2017-01-05.csv.gz", b"not gzip", compress=False)
    metrics = batch.run(spark, bundle)
    rejected = {item["uri"].rsplit("/", 1)[1]: item["error"] for item in metrics["rejected_files"]}
    assert rejected == {
        "orders-2017-01-05.parquet": "unsupported file type for source orders: parquet is not one of ['csv']",
        "returns-2017-01-05.csv": "unknown source returns: no contract in the bundle",
    }
    (corrupt,) = metrics["sources"]["order_items"]["files"]
    assert corrupt["error"].startswith("not a readable gzip file")
    assert corrupt["rows_read"] == 0
    assert metrics["sources"]["orders"]["rows_curated"] == 2


def test_bad_values_names_and_files_never_fail_the_run(spark, bundle, tmp_path):
    batch = olist_batch(tmp_path)
    # A 50 MB field, a line that leaves a quote open, dates before 1900 and after 9999, and file
    # names with glob and URL characters: each is a quarantined row or a rejected file.
    huge = "x" * (50 * 2**20)
    batch.add(
        "orders",
        "orders [glob] *%?.csv",
        "\n".join(
            [
                ORDERS_HEADER,
                f"o7,c1,delivered,2017-01-05 10:00:00,,,,{huge}",
                'o8,c1,"delivered,2017-01-05 10:00:00,,,,',
                "o9,c1,delivered,1850-01-05 10:00:00,,,,",
                "o10,c1,delivered,10000-01-05 10:00:00,,,,",
            ]
        ),
    )
    batch.add("orders", "orders-*.csv", ORDERS_HEADER + "\no11,c2,shipped,2017-01-05 11:00:00,,,,\n")
    metrics = batch.run(spark, bundle)
    assert metrics["conservation"]["holds"]
    files = {entry["uri"].rsplit("/", 1)[1]: entry for entry in metrics["sources"]["orders"]["files"]}
    assert files["orders [glob] *%?.csv"]["rows_read"] == 4
    assert files["orders-*.csv"]["rows_read"] == 1  # read once, not as a glob over its neighbours
    reasons = {
        row["_source_line"]: (row["_reason"], row["_reason_column"])
        for row in batch.quarantine(spark, "orders").filter("_source_file LIKE '%glob%'").collect()
    }
    assert reasons[2] == ("invalid_type", "order_estimated_delivery_date")
    assert reasons[3] == ("malformed_row", None)
    assert reasons[5] == ("invalid_type", "order_purchase_timestamp")
    ancient = batch.curated(spark, "orders").filter("order_id = 'o9'").collect()
    assert [row["purchased_at"] for row in ancient] == [datetime(1850, 1, 5, 10, 0)]
    assert metrics["sources"]["orders"]["rows_curated"] == 4  # o1, o2, o9, o11


def test_execute_reads_the_manifest_and_writes_metrics_without_side_files(spark, bundle_document, tmp_path):
    batch = olist_batch(tmp_path)
    manifest_uri = batch.write_manifest(bundle_document)
    # A percent-encoded file:// URI (as pathlib's as_uri writes it) works as well.
    manifest_uri = manifest_uri.replace("=", "%3D")
    metrics_uri, metrics = execute(spark, manifest_uri)
    assert metrics_uri == file_uri(tmp_path / "out" / "metrics" / "run-test-1.json")
    written = json.loads((tmp_path / "out" / "metrics" / "run-test-1.json").read_text())
    assert written == metrics
    assert written["bundle_checksum"] == bundle_document["checksum"]
    validate("metrics", written)  # the TypeScript readers' schema (src/documents/metrics.ts)
    assert sorted(p.name for p in (tmp_path / "out" / "metrics").iterdir()) == ["run-test-1.json"]
    assert not [f for f in batch.output_files() if f.endswith(".crc") or "_SUCCESS" in f]


def _kept_blocks(spark) -> int:
    return spark.sparkContext._jsc.getPersistentRDDs().size()


LOCATION = ("_run_id", "_source_file")  # differ between two runs of the same files in other folders


def _curated_rows(spark, batch, entities):
    return {
        entity: sorted(tuple(row) for row in batch.curated(spark, entity).drop(*LOCATION).collect())
        for entity in entities
    }


def test_small_and_big_batches_give_the_same_rows_and_keep_nothing_after_the_run(spark, bundle, tmp_path):
    """A small batch is checkpointed, a big one cached (materialize): same rows, both released."""
    before = _kept_blocks(spark)
    small = olist_batch(tmp_path / "small", run_id="small")
    small_metrics = small.run(spark, bundle)
    assert _kept_blocks(spark) == before

    big = olist_batch(tmp_path / "big", run_id="big")
    for item in big.inputs:
        item["size"] = 200 * 2**20  # claimed size: sizes the run's shuffles as a big batch
    big_metrics = big.run(spark, bundle)
    assert _kept_blocks(spark) == before

    assert small_metrics["spark"]["shuffle_partitions"] == 1
    assert big_metrics["spark"]["shuffle_partitions"] > 1
    entities = sorted(small_metrics["entities"])
    assert entities == sorted(big_metrics["entities"])
    assert _curated_rows(spark, small, entities) == _curated_rows(spark, big, entities)
    for name, source in small_metrics["sources"].items():
        for field in ("rows_read", "rows_curated", "rows_quarantined", "exact_duplicates", "superseded"):
            assert source[field] == big_metrics["sources"][name][field], (name, field)


def test_values_longer_than_the_warehouse_column_are_quarantined_as_too_long(spark, bundle, tmp_path):
    batch = Batch(tmp_path)
    header = "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state"
    rows = [
        "c1,p1,01310,sao paulo,SP",
        f"c2,p2,01310,{'x' * 257},SP",  # city is VARCHAR(256)
        f"c3,p3,01310,rio,{'Ü' * 33}",  # 33 characters, 66 bytes: state is VARCHAR(64) bytes
        f"{'c' * 65},p4,01310,rio,RJ",  # ids are VARCHAR(64)
        f"c5,p5,01310,{'é' * 128},SP",  # 128 characters, 256 bytes: fits exactly
        "c6,p6,13001,marseille,Provence-Alpes-Côte d'Azur",  # a region's name fits
        f"c7,p7,01310,rio,{'Ü' * 32}",  # 32 characters, 64 bytes: fits exactly
    ]
    batch.add("customers", "customers-2017-01-05.csv", "\n".join([header, *rows]) + "\n")
    deep = "/".join(["d" * 200] * 5)
    batch.add("orders", f"{deep}/orders-2017-01-05.csv", ORDERS)
    metrics = batch.run(spark, bundle)
    reasons = {
        row["_source_line"]: (row["_reason"], row["_reason_column"])
        for row in batch.quarantine(spark, "customers").collect()
    }
    assert reasons == {
        3: ("too_long", "customers.city"),
        4: ("too_long", "customers.state"),
        5: ("too_long", "customers.customer_id"),
    }
    assert metrics["sources"]["customers"]["quarantined_by_reason"]["too_long"] == 3
    assert metrics["sources"]["customers"]["rows_curated"] == 4
    states = {row["customer_id"]: row["state"] for row in batch.curated(spark, "customers").collect()}
    assert states == {"c1": "SP", "c5": "SP", "c6": "PROVENCE-ALPES-CÔTE D'AZUR", "c7": "Ü" * 32}
    (rejected,) = metrics["rejected_files"]
    assert rejected["error"].startswith("object URI of ")
    assert "_source_file" in rejected["error"]
    assert metrics["conservation"]["holds"]


def test_keys_and_json_shapes_that_would_load_silently_are_quarantined_with_a_detail(spark, bundle, tmp_path):
    batch = Batch(tmp_path)
    header = "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
    header += "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date"
    rows = [
        "o1,c1,delivered,2017-01-05 10:00:00,,,,",
        "NULL,c1,delivered,2017-01-05 10:00:00,,,,",  # null-like keys, whatever the contract's null_values
        "n/a,c1,delivered,2017-01-05 10:00:00,,,,",
        " ,c1,delivered,2017-01-05 10:00:00,,,,",  # blank after trimming
        "\t,c1,delivered,2017-01-05 10:00:00,,,,",
        "o6,None,delivered,2017-01-05 10:00:00,,,,",  # customer_id is not the order's key: a plain value
        "o7,c1,delivered,2017-13-05 10:00:00,,,,",
    ]
    batch.add("orders", "orders-2017-01-05.csv", "\n".join([header, *rows]) + "\n")
    payments = [
        '{"order_id": "p1", "payment_sequential": 1, "payment_type": "boleto", "payment_value": 1.5}',
        '{"order_id": "p2", "order_id": "p3", "payment_sequential": 1, "payment_type": "boleto", '
        '"payment_value": 1}',
        '{"order_id": {"id": "p4"}, "payment_sequential": 1, "payment_type": "boleto", "payment_value": 1}',
        '{"order_id": "p5", "payment_sequential": 1, "payment_type": ["boleto"], "payment_value": 1}',
        # A string that merely looks like JSON is a value (here not an accepted payment type).
        '{"order_id": "p6", "payment_sequential": 1, "payment_type": "{\\"a\\": [1]}", "payment_value": 1}',
        '{"order_id": "p7", "payment_sequential": 1, "payment_type": "boleto", "payment_value": 1, '
        '"extra": {"order_id": 2}}',
    ]
    batch.add("payments", "payments-2017-01-05.jsonl", "\n".join(payments) + "\n")
    metrics = batch.run(spark, bundle)
    assert metrics["conservation"]["holds"]

    def reasons(source):
        return {
            row["_source_line"]: (row["_reason"], row["_reason_column"], row["_reason_detail"])
            for row in batch.quarantine(spark, source).collect()
        }

    null_like = "blank or null-like key value"
    assert reasons("orders") == {
        3: ("missing_required", "orders.order_id", null_like),
        4: ("missing_required", "orders.order_id", null_like),
        5: ("missing_required", "orders.order_id", null_like),
        6: ("missing_required", "orders.order_id", null_like),
        8: ("invalid_type", "order_purchase_timestamp", "not a timestamp in the format yyyy-MM-dd HH:mm:ss"),
    }
    assert reasons("payments") == {
        2: ("malformed_row", None, "duplicate JSON key: order_id"),
        3: ("malformed_row", None, "column order_id holds a JSON object or array, not a scalar value"),
        4: ("malformed_row", None, "column payment_type holds a JSON object or array, not a scalar value"),
        5: ("rule_violation", "payment_type", "rule accepted_values_payment_type"),
    }
    curated = sorted(row["order_id"] for row in batch.curated(spark, "payments").collect())
    assert curated == ["p1", "p7"]
