"""Row-level validation: raw text -> typed columns, lineage values, and the quarantine reason.

Precedence (docs/semantics.md): malformed_row, missing_required, invalid_type, rule_violation;
within a reason the first column in contract order. A row whose feed would produce a null in a
non-nullable entity column comes next, as ``missing_required`` with ``_reason_column``
``<entity>.<column>`` (it cannot be curated, and must not vanish); last, a feed value longer than its
warehouse column (``too_long``, ``<entity>.<column>``).

``validate_source`` returns one frame per source with, for every record (and one note row per
file, ``_record_seq`` -1): the typed contract columns under their own names, the lineage columns,
``_reason``/``_reason_column``, ``__typed_ok`` (passed reasons 1-3), one ``__rule<k>`` failure flag
per row-level rule, and per feed ``__pass<i>`` (its filter holds) and ``__feed<i>`` (the feed's
entity row as a struct); ``fed(i)`` is the condition for a row to reach feed i.

Expressions are built as Spark SQL text: one projection is one call into the JVM, which keeps the
planning cost of a warm run to milliseconds instead of thousands of py4j round trips.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from pyspark.sql import DataFrame, SparkSession

from pipeline_spark.contracts import Entity, Feed, Rule, Source, SourceColumn
from pipeline_spark.errors import ContractError
from pipeline_spark.sql import ident, literal

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
# Key values that mean "no value" in the exports users bring, whatever the contract's null_values say: an
# entity key equal to one of these (any case, surrounding blanks ignored) or blank is missing_required.
NULL_LIKE_KEYS = ("null", "none", "n/a", "nan", "nil", "undefined")
_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")


@dataclass(frozen=True)
class FileLineage:
    """Per-file lineage values, indexed by ``_file_idx`` (all files of the run)."""

    uris: tuple[str, ...]
    batch_dates: tuple[Optional[str], ...]  # 'YYYY-MM-DD'
    uploaded_at: tuple[Optional[str], ...]  # 'YYYY-MM-DD HH:MM:SS.mmm' (UTC)


@dataclass(frozen=True)
class Check:
    """One quarantine check: a SQL condition, the reason and column it reports, and a SQL detail."""

    condition: str
    reason: str
    column: Optional[str] = None
    detail: Optional[str] = None  # SQL text for _reason_detail (evaluated only for the rows it decides)


@dataclass(frozen=True)
class RunValues:
    run_id: str
    ingested_at: str  # 'YYYY-MM-DD HH:MM:SS.mmm' (UTC)


def _by_file(values: tuple[Optional[str], ...], indexes: Optional[Sequence[int]]) -> str:
    """SQL for a per-file value: a literal map over the source's own files (``indexes``; all files when None).

    The map is part of every plan and task of the source, rendered and shipped each time: listing only the
    source's files keeps it a few entries instead of every file of the run.
    """
    chosen = range(len(values)) if indexes is None else sorted(set(indexes))
    pairs = ", ".join(f"{index}, {literal(values[index])}" for index in chosen)
    return f"element_at(map({pairs}), _file_idx)" if pairs else "CAST(NULL AS string)"


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


def typed_value(text: str, column: SourceColumn) -> str:
    """SQL for the value of ``text`` as the column's type, null when it does not parse.

    Numbers must match a strict pattern first: a plain cast would turn '12.5' into the int 12 and
    round '1.005' into a decimal(12,2); dates and timestamps parse with the contract's format.

    >>> typed_value("__v1", SourceColumn("n", "int", None, False))
    "CASE WHEN __v1 RLIKE '^\\\\s*[+-]?[0-9]+\\\\s*$' THEN CAST(__v1 AS int) END"
    """
    kind = column.type
    if kind == "string":
        return text
    if kind == "timestamp":
        return (
            f"to_timestamp({text}, {literal(column.format)})"
            if column.format
            else f"CAST({text} AS timestamp)"
        )
    if kind == "date":
        return f"to_date({text}, {literal(column.format or 'yyyy-MM-dd')})"
    if kind == "boolean":
        return f"CAST({text} AS boolean)"
    pattern = _number_pattern(kind)
    if pattern is None:  # pragma: no cover - the bundle's type check forbids it
        raise ContractError(f"unsupported type {kind}")
    return f"CASE WHEN {text} RLIKE {literal(pattern)} THEN CAST({text} AS {kind}) END"


def rule_failure(rule: Rule, typed: str, text: str) -> str:
    """SQL that is true where a row-level rule fails (null passes every rule except not_null)."""
    params = rule.params
    if rule.rule == "not_null":
        return f"({text} IS NULL)"
    if rule.rule == "accepted_values":
        values = ", ".join(literal(value) for value in params["values"])
        return f"coalesce({text} IS NOT NULL AND NOT {text} IN ({values}), false)"
    if rule.rule == "range":
        parts = []
        if params.get("min") is not None:
            parts.append(f"CAST({typed} AS double) < {float(params['min'])!r}")
        if params.get("max") is not None:
            parts.append(f"CAST({typed} AS double) > {float(params['max'])!r}")
        return f"coalesce({typed} IS NOT NULL AND ({' OR '.join(parts) or 'false'}), false)"
    if rule.rule == "regex":
        return f"coalesce({text} IS NOT NULL AND NOT {text} RLIKE {literal(params['pattern'])}, false)"
    raise ContractError(f"{rule.rule} is not a row-level rule")  # pragma: no cover


def row_rules(source: Source) -> list[Rule]:
    """Row-level rules ordered by their column's contract position (stable within a column)."""
    rules = [rule for rule in source.quality if rule.row_level]
    return sorted(rules, key=lambda rule: source.column_index(rule.column or ""))


def feed_select(feed: Feed) -> list[str]:
    """``CAST((expression) AS type) AS column`` for each entity column of a feed."""
    return [
        f"CAST(({select.expression}) AS {select.type}) AS {ident(select.column)}" for select in feed.select
    ]


def _feed_struct(feed: Feed) -> str:
    fields = ", ".join(
        f"{literal(select.column)}, CAST(({select.expression}) AS {select.type})" for select in feed.select
    )
    return f"named_struct({fields})"


def validate_source(
    raw: DataFrame,
    source: Source,
    entities: dict[str, Entity],
    lineage: FileLineage,
    run: RunValues,
    file_indexes: Optional[Sequence[int]] = None,
) -> DataFrame:
    """RAW_SCHEMA rows of one source -> typed, lineage-tagged rows with their quarantine reason.

    >>> validated = validate_source(raw, bundle.sources["orders"], bundle.entities, lineage, run)
    >>> validated.filter("_reason IS NULL").select("order_id", "_effective_at")
    """
    nulls = ", ".join(literal(value) for value in source.null_values)
    texts = []
    for index, _column in enumerate(source.columns):
        value = f"_values[{index}]"
        if nulls:
            value = f"CASE WHEN {value} IN ({nulls}) THEN NULL ELSE {value} END"
        texts.append(f"{value} AS __v{index}")
    base = raw.selectExpr(
        "_file_idx",
        "_record_seq",
        "_source_line",
        "_malformed",
        "_raw_record",
        "_values",
        "_file_note",
        *_run_lineage(lineage, run, file_indexes),
        f"to_timestamp({_by_file(lineage.batch_dates, file_indexes)}, 'yyyy-MM-dd') AS _batch_date",
        f"CAST({_by_file(lineage.uploaded_at, file_indexes)} AS timestamp) AS _uploaded_at",
        *texts,
    )
    # Three projections in all (each one more analysis pass for Catalyst): text values, typed values,
    # then every check. Expressions needed twice in a level are repeated as text; code generation
    # evaluates common subexpressions once.
    event = "CAST(NULL AS timestamp)"
    if source.event_time:
        position = source.column_index(source.event_time)
        event = f"CAST({typed_value(f'__v{position}', source.columns[position])} AS timestamp)"
    typed = base.selectExpr(
        "*",
        *[
            f"{typed_value(f'__v{i}', column)} AS {ident(column.name)}"
            for i, column in enumerate(source.columns)
        ],
        f"{event} AS _event_time",
        f"coalesce({event}, _batch_date, _uploaded_at) AS _effective_at",
    )

    rules = row_rules(source)
    failures = []
    for rule in rules:
        column_name = rule.column or ""
        failures.append(rule_failure(rule, ident(column_name), f"__v{source.column_index(column_name)}"))
    passes = [f"coalesce(({feed.filter}), false)" if feed.filter else "true" for feed in source.feeds]

    # Checks in precedence order; the first true one decides.
    source_checks: list[Check] = [
        Check("_record_seq < 0", NOTE_REASON),
        Check("_malformed IS NOT NULL", "malformed_row", detail="_malformed"),
    ]
    for i, column in enumerate(source.columns):
        if column.required:
            source_checks.append(Check(f"__v{i} IS NULL", "missing_required", column.name))
    for i, column in enumerate(source.columns):
        if column.type != "string":
            source_checks.append(
                Check(
                    f"(__v{i} IS NOT NULL AND {ident(column.name)} IS NULL)",
                    "invalid_type",
                    column.name,
                    literal(
                        f"not a {column.type}" + (f" in the format {column.format}" if column.format else "")
                    ),
                )
            )
    later_checks: list[Check] = []
    null_like = ", ".join(literal(token) for token in NULL_LIKE_KEYS)
    for k, rule in enumerate(rules):
        if rule.severity == "error":
            later_checks.append(
                Check(f"__rule{k}", "rule_violation", rule.column, literal(f"rule {rule.name}"))
            )
    for i, feed in enumerate(source.feeds):
        entity = entities[feed.entity]
        for select, entity_column in zip(feed.select, entity.columns):
            value = f"__feed{i}.{ident(select.column)}"
            where = f"{feed.entity}.{select.column}"
            if select.type.startswith("decimal"):
                # CAST rounds a value with more decimals than the column's scale, and turns one too big for
                # its precision into null: either would change the number the warehouse keeps, silently. The
                # comparison is exact, in decimal(38,18) (a double has too few digits for decimal(18,4): it
                # would miss 12345678901234.12345 rounded to .1235); a double maps through its shortest text.
                mapped = f"({select.expression})"
                later_checks.append(
                    Check(
                        f"coalesce(__pass{i} AND {mapped} IS NOT NULL AND ({value} IS NULL OR "
                        f"CAST({value} AS decimal(38,18)) <> CAST({mapped} AS decimal(38,18))), false)",
                        "invalid_type",
                        where,
                        literal(f"does not fit {select.type} without rounding or overflow"),
                    )
                )
            if not entity_column.nullable:
                later_checks.append(Check(f"(__pass{i} AND {value} IS NULL)", "missing_required", where))
            if select.column in entity.key and entity_column.type == "string":
                later_checks.append(
                    Check(
                        f"coalesce(__pass{i} AND ({value} RLIKE '^\\\\s*$' OR "
                        f"lower(trim({value})) IN ({null_like})), false)",
                        "missing_required",
                        where,
                        literal("blank or null-like key value"),
                    )
                )
    for i, column in enumerate(source.columns):
        if column.max_length is not None:
            later_checks.append(
                Check(
                    f"coalesce(octet_length(__v{i}) > {column.max_length}, false)",
                    "too_long",
                    column.name,
                    f"concat(octet_length(__v{i}), ' bytes, the contract allows {column.max_length}')",
                )
            )
    for i, feed in enumerate(source.feeds):
        entity = entities[feed.entity]
        for select, entity_column in zip(feed.select, entity.columns):
            if entity_column.max_length is not None:
                # Redshift's VARCHAR(n) counts bytes: a longer value would fail the whole COPY there.
                value = f"octet_length(__feed{i}.{ident(select.column)})"
                later_checks.append(
                    Check(
                        f"coalesce(__pass{i} AND {value} > {entity_column.max_length}, false)",
                        "too_long",
                        f"{feed.entity}.{select.column}",
                        f"concat({value}, ' bytes, the warehouse column holds {entity_column.max_length}')",
                    )
                )
    checked = typed.selectExpr(
        "*",
        *[f"{failure} AS __rule{k}" for k, failure in enumerate(failures)],
        *[f"{condition} AS __pass{i}" for i, condition in enumerate(passes)],
        *[f"{_feed_struct(feed)} AS __feed{i}" for i, feed in enumerate(source.feeds)],
    )
    # The first failing check decides; its position picks the reason and the column, so each condition
    # is written (and analysed) once. A position beyond the source checks means the typed values are fine.
    decisions = source_checks + later_checks
    position = "CASE " + " ".join(f"WHEN {d.condition} THEN {n}" for n, d in enumerate(decisions, 1)) + " END"
    reasons = ", ".join(literal(d.reason) for d in decisions)
    columns = ", ".join(f"CAST({literal(d.column)} AS string)" for d in decisions)
    details = " ".join(f"WHEN {n} THEN {d.detail}" for n, d in enumerate(decisions, 1) if d.detail)
    return checked.selectExpr("*", f"{position} AS __check").selectExpr(
        "*",
        f"element_at(array({reasons}), __check) AS _reason",
        f"element_at(array({columns}), __check) AS _reason_column",
        f"CAST(CASE __check {details} END AS string) AS _reason_detail"
        if details
        else "CAST(NULL AS string) AS _reason_detail",
        f"coalesce(__check > {len(source_checks)}, true) AS __typed_ok",
    )


def kept_columns(validated: DataFrame, source: Source) -> DataFrame:
    """The columns a validated source is kept (materialized) with: what the metrics, the feeds and the
    quarantine read, each value only on the rows that read it.

    The text values, the typed columns and the run's constants are not kept: a kept row is copied into
    memory and read back by every output, and those columns made it several times wider than the raw
    record (the feeds' structs already hold the typed values). ``with_run_lineage`` puts the constants
    back, computed from ``_file_idx``, on the kept frame.
    """
    feeds = [
        f"CASE WHEN {fed(index)} THEN __feed{index} END AS __feed{index}"
        for index in range(len(source.feeds))
    ]
    return validated.selectExpr(
        "_file_idx",
        "_record_seq",
        "_source_line",
        "_file_note",
        "_raw_record",
        "CASE WHEN _reason IS NOT NULL THEN _values END AS _values",
        "CASE WHEN _reason IS NULL THEN _event_time END AS _event_time",
        "_reason",
        "_reason_column",
        "_reason_detail",
        "__typed_ok",
        *[f"__rule{k}" for k in range(len(row_rules(source)))],
        *[f"__pass{index}" for index in range(len(source.feeds))],
        *feeds,
    )


def with_run_lineage(
    kept: DataFrame, lineage: FileLineage, run: RunValues, file_indexes: Optional[Sequence[int]] = None
) -> DataFrame:
    """Adds the lineage columns that are the same for every row of a file (``_run_id``, ``_source_file``,
    ``_ingested_at``) to a frame with ``_file_idx``."""
    return kept.selectExpr("*", *_run_lineage(lineage, run, file_indexes))


def _run_lineage(lineage: FileLineage, run: RunValues, file_indexes: Optional[Sequence[int]]) -> list[str]:
    return [
        f"{literal(run.run_id)} AS _run_id",
        f"{_by_file(lineage.uris, file_indexes)} AS _source_file",
        f"CAST({literal(run.ingested_at)} AS timestamp) AS _ingested_at",
    ]


def fed(feed_index: int) -> str:
    """SQL condition: the row reaches feed ``feed_index`` (not quarantined, and passes its filter)."""
    return f"(_reason IS NULL AND __pass{feed_index})"


def quarantine_rows(validated: DataFrame, source: Source) -> DataFrame:
    """The quarantined records of a source: raw values as text, reason, and where they came from."""
    return validated.filter("_reason IS NOT NULL AND _record_seq >= 0").selectExpr(
        *[f"_values[{i}] AS {ident(column.name)}" for i, column in enumerate(source.columns)],
        "_raw_record",
        "_reason",
        "_reason_column",
        "_reason_detail",
        "_source_file",
        "_source_line",
        "_run_id",
        "_ingested_at",
    )


_EXPRESSION_CHECKED: set = set()


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@dataclass(frozen=True)
class FeedProblem:
    """A feed filter or mapping expression that does not analyse against the source's columns."""

    source: str
    feed: int
    entity: str
    column: Optional[str]  # the entity column a mapping feeds; None for the feed's filter
    expression: str
    message: str

    @property
    def path(self) -> str:
        """Where it is in the contract file: ``feeds[0].filter`` or ``feeds[0].map.customer_id``."""
        return (
            f"feeds[{self.feed}].filter" if self.column is None else f"feeds[{self.feed}].map.{self.column}"
        )

    def describe(self) -> str:
        what = (
            f"filter `{self.expression}`"
            if self.column is None
            else (f"column {self.column}: expression `{self.expression}`")
        )
        return f"source {self.source}: feeds[{self.feed}] (entity {self.entity}): {what}: {self.message}"


def feed_expression_problems(spark: SparkSession, source: Source) -> list[FeedProblem]:
    """Every feed filter and mapping expression of a source that Spark's analyser rejects (unknown column or
    function, syntax, a filter that is not boolean), checked against the source's typed columns and the
    lineage values, with the analyser's first line as the message."""
    ddl = ", ".join(
        [f"{ident(column.name)} {column.type}" for column in source.columns]
        + [f"{name} {kind}" for name, kind in LINEAGE_TYPES]
    )
    empty = spark.createDataFrame([], ddl)
    problems: list[FeedProblem] = []
    for index, feed in enumerate(source.feeds):
        if feed.filter:
            try:
                kind = empty.selectExpr(f"({feed.filter}) AS f").schema.fields[0].dataType.simpleString()
                if kind != "boolean":
                    problems.append(
                        FeedProblem(
                            source.source, index, feed.entity, None, feed.filter, f"is {kind}, not boolean"
                        )
                    )
            except Exception as error:
                problems.append(
                    FeedProblem(source.source, index, feed.entity, None, feed.filter, _first_line(error))
                )
        try:
            empty.selectExpr(*feed_select(feed))
        except Exception as whole:
            found = len(problems)
            for select in feed.select:
                try:
                    empty.selectExpr(f"CAST(({select.expression}) AS {select.type})")
                except Exception as error:
                    problems.append(
                        FeedProblem(
                            source.source,
                            index,
                            feed.entity,
                            select.column,
                            select.expression,
                            f"(as {select.type}) {_first_line(error)}",
                        )
                    )
            if len(problems) == found:  # each column analyses alone, the feed's projection does not
                problems.append(
                    FeedProblem(source.source, index, feed.entity, "*", "(all columns)", _first_line(whole))
                )
    return problems


def check_feed_expressions(spark: SparkSession, source: Source) -> None:
    """Fails fast, naming source, feed and column, when a feed expression or filter does not
    analyse against the source's typed columns and the lineage values. Cached per contract.

    >>> check_feed_expressions(spark, bundle.sources["orders"])  # raises ContractError if broken
    """
    cache_key = repr(source)
    if cache_key in _EXPRESSION_CHECKED:
        return
    problems = feed_expression_problems(spark, source)
    if problems:
        raise ContractError(problems[0].describe())
    _EXPRESSION_CHECKED.add(cache_key)
