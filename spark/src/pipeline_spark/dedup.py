"""Mapping validated rows onto an entity, and deduplicating by its natural key within each source file.

Per key and source file the row with the greatest (effective_at, _source_line) is kept; a dropped row
is an exact duplicate when all its entity columns equal the kept row's, otherwise superseded
(docs/semantics.md). Rows of different files never supersede each other here: which file's row wins is
decided in the warehouse, where a file can be replaced by a newer version of it (latest version wins), and
a row the replaced file had beaten must come back.
"""

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from pipeline_spark.contracts import Entity
from pipeline_spark.sql import ident, literal
from pipeline_spark.validation import fed

CURATED_LINEAGE = ("_run_id", "_source_file", "_source_line", "_ingested_at")


def fed_rows(validated: DataFrame, source_name: str, feed_index: int) -> DataFrame:
    """The entity rows one feed of one source produces (after its filter), with lineage."""
    return validated.filter(fed(feed_index)).selectExpr(
        f"__feed{feed_index}.*",
        *CURATED_LINEAGE,
        "_file_idx",
        "_record_seq",
        f"{literal(source_name)} AS _source",
    )


def union_feeds(frames: Sequence[DataFrame]) -> DataFrame:
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


def by_natural_key(rows: DataFrame, entity: Entity, single_partition: bool) -> DataFrame:
    """Spreads an entity's rows over the run's partitions by its natural key: both windows of
    ``with_dedup_status`` partition by a superset of it, so they share this one shuffle (each window
    would otherwise shuffle the rows on its own keys). A batch processed as one partition needs none."""
    if single_partition:
        return rows
    return rows.repartition(*[F.col(ident(name)) for name in entity.key])


def with_dedup_status(rows: DataFrame, entity: Entity) -> DataFrame:
    """Adds ``_kept`` (the row survives), ``_exact`` (identical to its key's kept row) and
    ``_source_first`` (first row of its key within its source: counts distinct keys per source).

    >>> ranked = with_dedup_status(fed_rows(validated, "orders", 0), bundle.entities["orders"])
    >>> ranked.filter("_kept")  # one row per order_id and source file
    """
    # Rows are deduplicated on the entity's dedupe key (dimensions: key + effective_at, every version counts)
    # within their source file; distinct keys are counted on the natural key.
    dedupe_key = ", ".join(ident(name) for name in (entity.dedupe_key or entity.key))
    natural_key = ", ".join(ident(name) for name in entity.key)
    order = "ORDER BY effective_at DESC, _source_line DESC, _record_seq DESC"
    by_key = f"(PARTITION BY {dedupe_key}, _source_file {order})"
    by_key_and_source = f"(PARTITION BY {natural_key}, _source {order})"
    values = "named_struct(" + ", ".join(f"{literal(n)}, {ident(n)}" for n in entity.column_names) + ")"
    return rows.selectExpr(
        "*",
        f"row_number() OVER {by_key} = 1 AS _kept",
        f"{values} <=> first({values}) OVER {by_key} AS _exact",
        f"row_number() OVER {by_key_and_source} = 1 AS _source_first",
    )


def curated_rows(ranked: DataFrame, entity: Entity) -> DataFrame:
    """The curated output: kept rows, in the staging table's column order (entity columns, the curated
    lineage columns, then the entity's appended columns)."""
    return ranked.filter("_kept").selectExpr(
        *[ident(n) for n in entity.curated_column_names(CURATED_LINEAGE)]
    )


def row_status(ranked: DataFrame) -> DataFrame:
    """(_file_idx, _record_seq, _kept, _superseded) per fed row, for sources with several feeds."""
    return ranked.selectExpr("_file_idx", "_record_seq", "_kept", "NOT _kept AND NOT _exact AS _superseded")
