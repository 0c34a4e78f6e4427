"""Feed values that the warehouse column would change silently are quarantined instead."""

import json
from decimal import Decimal

from helpers import Batch
from pipeline_spark.contracts import parse_bundle

HEADER = (
    "product_id,product_category_name,product_name_lenght,product_description_lenght,product_photos_qty,"
    "product_weight_g,product_length_cm,product_height_cm,product_width_cm"
)


def test_money_and_measures_that_would_be_rounded_or_overflow_are_invalid_type(
    spark, bundle_document, tmp_path
):
    # A contract that reads weights with 4 decimals into the entity's decimal(10,2) weight_g.
    document = json.loads(json.dumps(bundle_document))
    columns = document["sources"]["products"]["columns"]
    next(column for column in columns if column["name"] == "product_weight_g")["type"] = "decimal(14,4)"
    quality = document["sources"]["products"]["quality"]
    document["sources"]["products"]["quality"] = [r for r in quality if r.get("column") != "product_weight_g"]
    rows = [
        "p1,toys,10,100,1,1.5000,1,1,1",  # fits after dropping trailing zeros
        "p2,toys,10,100,1,0.001,1,1,1",  # would be stored as 0.00
        "p3,toys,10,100,1,12.345,1,1,1",  # would be stored as 12.35
        "p4,toys,10,100,1,123456789.5,1,1,1",  # beyond decimal(10,2): would be stored as null
        "p5,toys,10,100,1,,1,1,1",  # no value: fine (the column is nullable)
    ]
    batch = Batch(tmp_path)
    batch.add("products", "products-2017-01-05.csv", "\n".join([HEADER, *rows]) + "\n")
    metrics = batch.run(spark, parse_bundle(json.dumps(document)))
    assert metrics["conservation"]["holds"]
    quarantined = {
        row["product_id"]: (row["_reason"], row["_reason_column"], row["_reason_detail"])
        for row in batch.quarantine(spark, "products").collect()
    }
    detail = "does not fit decimal(10,2) without rounding or overflow"
    assert quarantined == {
        "p2": ("invalid_type", "products.weight_g", detail),
        "p3": ("invalid_type", "products.weight_g", detail),
        "p4": ("invalid_type", "products.weight_g", detail),
    }
    curated = {row["product_id"]: row["weight_g"] for row in batch.curated(spark, "products").collect()}
    assert curated == {"p1": Decimal("1.50"), "p5": None}


def test_money_keeps_four_decimals_and_fourteen_digits_exactly_and_quarantines_the_rest(
    spark, bundle_document, tmp_path
):
    # A contract that reads prices with 6 decimals into the entity's money type, decimal(18,4) (MONEY_TYPE).
    document = json.loads(json.dumps(bundle_document))
    columns = document["sources"]["order_items"]["columns"]
    next(column for column in columns if column["name"] == "price")["type"] = "decimal(38,6)"
    header = "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value"
    rows = [
        "o1,1,p1,s1,,0.001,0",  # a real unit price below a cent: fits
        "o2,1,p1,s1,,0.00125,0",  # 5 decimals: would be stored as 0.0013
        "o3,1,p1,s1,,12345678901234.12345,0",  # would be stored as ...1234.1235 (a double would not see it)
        "o4,1,p1,s1,,123456789012345.5,0",  # 15 digits before the point: beyond decimal(18,4)
        "o5,1,p1,s1,,99999999999999.9999,0",  # the largest that fits
    ]
    batch = Batch(tmp_path)
    batch.add("order_items", "order_items-2017-01-05.csv", "\n".join([header, *rows]) + "\n")
    metrics = batch.run(spark, parse_bundle(json.dumps(document)))
    assert metrics["conservation"]["holds"]
    quarantined = {
        row["order_id"]: (row["_reason"], row["_reason_column"], row["_reason_detail"])
        for row in batch.quarantine(spark, "order_items").collect()
    }
    detail = "does not fit decimal(18,4) without rounding or overflow"
    assert quarantined == {
        "o2": ("invalid_type", "order_items.unit_price", detail),
        "o3": ("invalid_type", "order_items.unit_price", detail),
        "o4": ("invalid_type", "order_items.unit_price", detail),
    }
    curated = {row["order_id"]: row["unit_price"] for row in batch.curated(spark, "order_items").collect()}
    assert curated == {"o1": Decimal("0.0010"), "o5": Decimal("99999999999999.9999")}
    # The metrics' sums are exact decimal text, for the warehouse's reconciliation.
    assert metrics["entities"]["order_items"]["sums"] == {
        "unit_price": "100000000000000.0009",
        "freight_value": "0.00",
    }


def test_a_declared_max_length_quarantines_longer_values_as_too_long(spark, bundle_document, tmp_path):
    document = json.loads(json.dumps(bundle_document))
    columns = document["sources"]["customers"]["columns"]
    next(column for column in columns if column["name"] == "customer_city")["max_length"] = 10
    header = "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state"
    rows = ["c1,p1,01310,sao paulo,SP", "c2,p2,01310,rio de janeiro,RJ", "c3,p3,01310,bras\u00edlia,DF"]
    batch = Batch(tmp_path)
    batch.add("customers", "customers-2017-01-05.csv", "\n".join([header, *rows]) + "\n")
    metrics = batch.run(spark, parse_bundle(json.dumps(document)))
    assert metrics["conservation"]["holds"]
    quarantined = [
        (row["customer_id"], row["_reason"], row["_reason_column"], row["_reason_detail"])
        for row in batch.quarantine(spark, "customers").collect()
    ]
    # 'brasília' is 8 characters, 9 bytes: within 10.
    assert quarantined == [("c2", "too_long", "customer_city", "14 bytes, the contract allows 10")]
