"""Deduplication by natural key within each source file: latest (effective_at, _source_line) wins."""

from datetime import datetime

from chispa import assert_df_equality

from pipeline_spark.contracts import Entity, EntityColumn
from pipeline_spark.dedup import curated_rows, with_dedup_status

ENTITY = Entity(
    name="things",
    key=("k",),
    columns=(
        EntityColumn("k", "string", False),
        EntityColumn("v", "int", True),
        EntityColumn("effective_at", "timestamp", False),
    ),
)
TEN = datetime(2017, 1, 5, 10)
ELEVEN = datetime(2017, 1, 5, 11)
SCHEMA = (
    "k string, v int, effective_at timestamp, _source_file string, _source_line int, _record_seq long, "
    "_source string, _run_id string, _ingested_at timestamp, _file_idx int"
)


def rows(spark, data):
    return spark.createDataFrame(
        [
            (k, v, eff, f, line, line - 2, "s", "run-1", TEN, 0 if f == "a" else 1)
            for k, v, eff, f, line in data
        ],
        SCHEMA,
    )


def test_latest_row_wins_and_dropped_rows_are_exact_or_superseded(spark):
    data = [
        ("k1", 1, TEN, "a", 2),
        ("k1", 1, TEN, "a", 5),  # same time and file: the later line wins, the earlier is an exact copy
        ("k2", 1, ELEVEN, "a", 3),  # later effective time wins within a file
        ("k2", 2, TEN, "a", 9),
        ("k3", None, TEN, "a", 7),  # equal values with nulls are still exact duplicates
        ("k3", None, TEN, "a", 1),
        ("k6", 1, ELEVEN, "a", 10),  # another file's row is never dropped here: the warehouse decides
        ("k6", 2, TEN, "b", 11),
        ("k4", 1, TEN, "a", 4),
        ("k4", 2, TEN, "a", 6),  # different value: the dropped row is superseded
        ("k5", 9, TEN, "a", 8),  # alone
    ]
    ranked = with_dedup_status(rows(spark, data), ENTITY)
    expected = spark.createDataFrame(
        [
            ("k1", 2, False, True),
            ("k1", 5, True, True),
            ("k2", 3, True, True),
            ("k2", 9, False, False),
            ("k3", 7, True, True),
            ("k3", 1, False, True),
            ("k4", 4, False, False),
            ("k4", 6, True, True),
            ("k5", 8, True, True),
            ("k6", 10, True, True),
            ("k6", 11, True, True),
        ],
        "k string, _source_line int, _kept boolean, _exact boolean",
    )
    assert_df_equality(
        ranked.select("k", "_source_line", "_kept", "_exact"),
        expected,
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_curated_rows_are_the_kept_rows_with_lineage(spark):
    data = [("k1", 1, TEN, "a", 2), ("k1", 2, ELEVEN, "a", 3)]
    actual = curated_rows(with_dedup_status(rows(spark, data), ENTITY), ENTITY)
    expected = spark.createDataFrame(
        [("k1", 2, ELEVEN, "run-1", "a", 3, TEN)],
        "k string, v int, effective_at timestamp, _run_id string, _source_file string, _source_line int, "
        "_ingested_at timestamp",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)
