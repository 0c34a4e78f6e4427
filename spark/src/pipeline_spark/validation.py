"""Row-level validation: raw text -> typed columns, lineage values, and the quarantine reason.

Precedence (docs/semantics.md): malformed_row, missing_required, invalid_type, rule_violation;
within a reason the first column in contract order. A row whose feed would produce a null in a
non-nullable entity column comes last, as ``missing_required`` with ``_reason_column``
``<entity>.<column>`` (it cannot be curated, and must not vanish).

``validate_source`` returns one frame per source with, for every record (and one note row per
file, ``_record_seq`` -1): the typed contract columns under their own names, the lineage columns,
``_reason``/``_reason_column``, one ``__rule<k>`` failure flag per row-level rule, and per feed
``__fed<i>`` (row reaches feed i) and ``__feed<i>`` (the feed's entity row as a struct).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from pipeline_spark.contracts import Entity, Feed, Rule, Source, SourceColumn

LINEAGE_TYPES = (
    ("_run_id", "string"),
    ("_source_file", "string"),
    ("_source_line", "int"),
    ("_ingested_at", "timestamp"),
    ("_batch_date", "timestamp"),
    ("_event_time", "timestamp"),
    ("_effective_at", "timestamp"),
)
NOTE_REASON = "_file_note"
_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")


@dataclass(frozen=True)
class FileLineage:
    """Per-file lineage values, indexed by ``_file_idx`` (all files of the run)."""

    uris: tuple[str, ...]
    batch_dates: tuple[Optional[str], ...]  # 'YYYY-MM-DD'
    uploaded_at: tuple[Optional[str], ...]  # 'YYYY-MM-DD HH:MM:SS.mmm' (UTC)


@dataclass(frozen=True)
class RunValues:
    run_id: str
    ingested_at: str  # 'YYYY-MM-DD HH:MM:SS.mmm' (UTC)


def _by_file(values: Sequence[Optional[str]], cast: str) -> Column:
    return F.element_at(F.array(*[F.lit(value).cast(cast) for value in values]), F.col("_file_idx") + 1)


def _number_pattern(column_type: str) -> Optional[str]:
    if column_type in ("int", "bigint"):
        return r"^\s*[+-]?[0-9]+\s*$"
    if column_type == "double":
        return r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"
    match = _DECIMAL.match(column_type)
    if match:
        scale = int(match.group(2))
        if scale == 0:
            return r"^\s*[+-]?[0-9]+(\.0*)?\s*$"
        # More fractional digits than the scale would be rounded silently: only trailing zeros may follow.
        return rf"^\s*[+-]?([0-9]+(\.[0-9]{{0,{scale}}}0*)?|\.[0-9]{{1,{scale}}}0*)\s*$"
    return None


def typed_value(text: Column, column: SourceColumn) -> Column:
    """The value of ``text`` as the column's type, or null when it does not parse.

    Numbers must match a strict pattern first: a plain cast would turn '12.5' into the int 12 and
    round '1.005' into a decimal(12,2); dates and timestamps parse with the contract's format.
    """
    kind = column.type
    if kind == "string":
        return text
    if kind == "timestamp":
        return F.to_timestamp(text, column.format) if column.format else text.cast("timestamp")
    if kind == "date":
        return F.to_date(text, column.format) if column.format else F.to_date(text, "yyyy-MM-dd")
    if kind == "boolean":
        return text.cast("boolean")
    pattern = _number_pattern(kind)
    if pattern is None:  # pragma: no cover - the bundle's type check forbids it
        raise ValueError(f"unsupported type {kind}")
    return F.when(text.rlike(pattern), text.cast(kind))


def _literal_list(values: Sequence[object]) -> list[Column]:
    return [F.lit(value) for value in values]


def rule_failure(rule: Rule, typed: Column, text: Column) -> Column:
    """True where a row-level rule fails (null passes every rule except not_null)."""
    params = rule.params
    if rule.rule == "not_null":
        condition = text.isNull()
    elif rule.rule == "accepted_values":
        condition = text.isNotNull() & ~text.isin(*_literal_list(params["values"]))
    elif rule.rule == "range":
        number = typed.cast("double")
        condition = F.lit(False)
        if params.get("min") is not None:
            condition = condition | (number < F.lit(float(params["min"])))
        if params.get("max") is not None:
            condition = condition | (number > F.lit(float(params["max"])))
        condition = typed.isNotNull() & condition
    elif rule.rule == "regex":
        condition = text.isNotNull() & ~text.rlike(params["pattern"])
    else:  # pragma: no cover - only row-level rules reach here
        raise ValueError(f"{rule.rule} is not a row-level rule")
    return F.coalesce(condition, F.lit(False))


def row_rules(source: Source) -> list[Rule]:
    """Row-level rules ordered by their column's contract position (stable within a column)."""
    rules = [rule for rule in source.quality if rule.row_level]
    return sorted(rules, key=lambda rule: source.column_index(rule.column or ""))


def feed_columns(feed: Feed) -> list[Column]:
    return [
        F.expr(f"CAST(({select.expression}) AS {select.type})").alias(select.column) for select in feed.select
    ]


def validate_source(
    raw: DataFrame, source: Source, entities: dict, lineage: FileLineage, run: RunValues
) -> DataFrame:
    """RAW_SCHEMA rows of one source -> typed, lineage-tagged rows with their quarantine reason.

    >>> validated = validate_source(raw, bundle.sources["orders"], bundle.entities, lineage, run)
    >>> validated.filter("_reason IS NULL").select("order_id", "_effective_at")
    """
    null_values = list(source.null_values)
    texts = []
    for index, _column in enumerate(source.columns):
        value = F.col("_values").getItem(index)
        if null_values:
            value = F.when(value.isin(*null_values), F.lit(None).cast("string")).otherwise(value)
        texts.append(value.alias(f"__v{index}"))
    base = raw.select(
        "_file_idx",
        "_record_seq",
        "_source_line",
        "_malformed",
        "_raw_record",
        "_values",
        "_file_note",
        F.lit(run.run_id).alias("_run_id"),
        _by_file(lineage.uris, "string").alias("_source_file"),
        F.lit(run.ingested_at).cast("timestamp").alias("_ingested_at"),
        F.to_timestamp(_by_file(lineage.batch_dates, "string"), "yyyy-MM-dd").alias("_batch_date"),
        _by_file(lineage.uploaded_at, "string").cast("timestamp").alias("_uploaded_at"),
        *texts,
    )
    typed = base.select(
        "*",
        *[
            typed_value(F.col(f"__v{index}"), column).alias(column.name)
            for index, column in enumerate(source.columns)
        ],
    )
    event_time = (
        F.col(source.event_time).cast("timestamp") if source.event_time else F.lit(None).cast("timestamp")
    )
    typed = typed.select(
        "*",
        event_time.alias("_event_time"),
        F.coalesce(event_time, F.col("_batch_date"), F.col("_uploaded_at")).alias("_effective_at"),
    )

    rules = row_rules(source)
    checks = typed.select(
        "*",
        *[
            rule_failure(
                rule, F.col(rule.column or ""), F.col(f"__v{source.column_index(rule.column or '')}")
            ).alias(f"__rule{index}")
            for index, rule in enumerate(rules)
        ],
        *[
            (F.coalesce(F.expr(feed.filter), F.lit(False)) if feed.filter else F.lit(True)).alias(
                f"__pass{index}"
            )
            for index, feed in enumerate(source.feeds)
        ],
        *[F.struct(*feed_columns(feed)).alias(f"__feed{index}") for index, feed in enumerate(source.feeds)],
    )

    # (condition, reason, column) in precedence order; the first true one decides.
    source_checks: list[tuple[Column, str, Optional[str]]] = [
        (F.col("_record_seq") < 0, NOTE_REASON, None),
        (F.col("_malformed").isNotNull(), "malformed_row", None),
    ]
    for index, column in enumerate(source.columns):
        if column.required:
            source_checks.append((F.col(f"__v{index}").isNull(), "missing_required", column.name))
    for index, column in enumerate(source.columns):
        if column.type != "string":
            source_checks.append(
                (F.col(f"__v{index}").isNotNull() & F.col(column.name).isNull(), "invalid_type", column.name)
            )
    later_checks: list[tuple[Column, str, Optional[str]]] = []
    for index, rule in enumerate(rules):
        if rule.severity == "error":
            later_checks.append((F.col(f"__rule{index}"), "rule_violation", rule.column))
    for index, feed in enumerate(source.feeds):
        entity: Entity = entities[feed.entity]
        for select, entity_column in zip(feed.select, entity.columns):
            if not entity_column.nullable:
                later_checks.append(
                    (
                        F.col(f"__pass{index}") & F.col(f"__feed{index}.{select.column}").isNull(),
                        "missing_required",
                        f"{feed.entity}.{select.column}",
                    )
                )
    reason = F.lit(None).cast("string")
    reason_column = F.lit(None).cast("string")
    for condition, why, column_name in reversed(source_checks + later_checks):
        reason = F.when(condition, F.lit(why)).otherwise(reason)
        reason_column = F.when(condition, F.lit(column_name).cast("string")).otherwise(reason_column)
    typed_ok = F.lit(True)
    for condition, _why, _column in source_checks:
        typed_ok = typed_ok & ~F.coalesce(condition, F.lit(False))
    decided = checks.select(
        "*", reason.alias("_reason"), reason_column.alias("_reason_column"), typed_ok.alias("__typed_ok")
    )
    return decided.select(
        "*",
        *[
            (F.col("_reason").isNull() & F.col(f"__pass{index}")).alias(f"__fed{index}")
            for index in range(len(source.feeds))
        ],
    )


def quarantine_rows(validated: DataFrame, source: Source) -> DataFrame:
    """The quarantined records of a source: raw values as text, reason, and where they came from."""
    return validated.filter(F.col("_reason").isNotNull() & (F.col("_record_seq") >= 0)).select(
        *[F.col("_values").getItem(index).alias(column.name) for index, column in enumerate(source.columns)],
        "_raw_record",
        "_reason",
        "_reason_column",
        "_source_file",
        "_source_line",
        "_run_id",
        "_ingested_at",
    )


_EXPRESSION_CHECKED = set()


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_feed_expressions(spark, source: Source) -> None:
    """Fails fast, naming source, feed and column, when a feed expression or filter does not
    analyse against the source's typed columns and the lineage values. Cached per contract.

    >>> check_feed_expressions(spark, bundle.sources["orders"])  # raises ContractError if broken
    """
    from pyspark.sql.types import BooleanType

    from pipeline_spark.errors import ContractError

    cache_key = repr(source)
    if cache_key in _EXPRESSION_CHECKED:
        return
    ddl = ", ".join(
        [f"`{column.name}` {column.type}" for column in source.columns]
        + [f"`{name}` {kind}" for name, kind in LINEAGE_TYPES]
    )
    empty = spark.createDataFrame([], ddl)
    for index, feed in enumerate(source.feeds):
        where = f"source {source.source}: feeds[{index}] (entity {feed.entity})"
        if feed.filter:
            try:
                kind = empty.select(F.expr(feed.filter)).schema.fields[0].dataType
            except Exception as error:
                raise ContractError(
                    f"{where}: filter `{feed.filter}`: {_first_line(error)}", error
                ) from error
            if not isinstance(kind, BooleanType):
                raise ContractError(f"{where}: filter `{feed.filter}` is {kind.simpleString()}, not boolean")
        try:
            empty.select(*feed_columns(feed))
        except Exception:
            for select in feed.select:
                try:
                    empty.select(F.expr(f"CAST(({select.expression}) AS {select.type})"))
                except Exception as error:
                    raise ContractError(
                        f"{where}: column {select.column}: expression `{select.expression}` "
                        f"(as {select.type}): {_first_line(error)}",
                        error,
                    ) from error
            raise
    _EXPRESSION_CHECKED.add(cache_key)
