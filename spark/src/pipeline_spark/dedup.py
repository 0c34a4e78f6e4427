"""Mapping validated rows onto an entity, and deduplicating by its natural key within the run.

Per key the row with the greatest (effective_at, _source_file, _source_line) is kept; a dropped row
is an exact duplicate when all its entity columns equal the kept row's, otherwise superseded
(docs/semantics.md). Rows of every source feeding the entity compete.
"""

from collections.abc import Sequence

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from pipeline_spark.contracts import Entity

CURATED_LINEAGE = ("_run_id", "_source_file", "_source_line", "_ingested_at")


def fed_rows(validated: DataFrame, source_name: str, feed_index: int) -> DataFrame:
    """The entity rows one feed of one source produces (after its filter), with lineage."""
    return validated.filter(F.col(f"__fed{feed_index}")).select(
        F.col(f"__feed{feed_index}.*"),
        *CURATED_LINEAGE,
        "_file_idx",
        "_record_seq",
        F.lit(source_name).alias("_source"),
    )


def union_feeds(frames: Sequence[DataFrame]) -> DataFrame:
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


def with_dedup_status(rows: DataFrame, entity: Entity) -> DataFrame:
    """Adds ``_kept`` (the row survives), ``_exact`` (dropped, identical to the kept row) and
    ``_source_first`` (first row of its key within its source: counts distinct keys per source).

    >>> ranked = with_dedup_status(fed_rows(validated, "orders", 0), bundle.entities["orders"])
    >>> ranked.filter("_kept")  # one row per order_id
    """
    key = [F.col(name) for name in entity.key]
    order = [
        F.col("effective_at").desc(),
        F.col("_source_file").desc(),
        F.col("_source_line").desc(),
        F.col("_record_seq").desc(),
    ]
    by_key = Window.partitionBy(*key).orderBy(*order)
    by_key_and_source = Window.partitionBy(*key, F.col("_source")).orderBy(*order)
    values = F.struct(*[F.col(name) for name in entity.column_names])
    return rows.select(
        "*",
        (F.row_number().over(by_key) == 1).alias("_kept"),
        values.eqNullSafe(F.first(values).over(by_key)).alias("_exact"),
        (F.row_number().over(by_key_and_source) == 1).alias("_source_first"),
    )


def curated_rows(ranked: DataFrame, entity: Entity) -> DataFrame:
    """The curated output: kept rows, entity columns then the curated lineage columns."""
    return ranked.filter(F.col("_kept")).select(*entity.column_names, *CURATED_LINEAGE)


def row_status(ranked: DataFrame) -> DataFrame:
    """(_file_idx, _record_seq, _kept, _superseded) per fed row, for sources with several feeds."""
    return ranked.select(
        "_file_idx",
        "_record_seq",
        F.col("_kept"),
        (~F.col("_kept") & ~F.col("_exact")).alias("_superseded"),
    )
