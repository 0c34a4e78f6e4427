"""Run metrics, computed in the same pass as the transform.

Every aggregate is grouped by input file and turned into long rows ``(scope, _file_idx, name,
value)``; the frames of all sources and entities are unioned and collected by ONE Spark action,
which also materializes the cached frames the writes then read. ``assemble`` folds the rows into the
metrics JSON of docs/interfaces.md and checks the conservation law per file.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Optional

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from pipeline_spark.contracts import QUARANTINE_REASONS, Bundle, Entity, Source
from pipeline_spark.sql import ident, literal
from pipeline_spark.validation import fed, row_rules

Long = dict[tuple[str, int], dict[str, str]]


def _count(condition: str) -> str:
    return f"CAST(count_if({condition}) AS bigint)"


def _long(frame: DataFrame, scope: str, aggregates: Sequence[tuple[str, str]]) -> DataFrame:
    """Aggregates per file (one struct of aggregates), then one row per (file, metric) as text."""
    fields = ", ".join(f"'m{i}', {sql}" for i, (_, sql) in enumerate(aggregates))
    wide = frame.groupBy("_file_idx").agg(F.expr(f"named_struct({fields})").alias("m"))
    pairs = ", ".join(f"{literal(name)}, CAST(m.m{i} AS string)" for i, (name, _) in enumerate(aggregates))
    return wide.selectExpr(
        f"{literal(scope)} AS scope", "_file_idx", f"stack({len(aggregates)}, {pairs}) AS (name, value)"
    )


def source_metric_rows(validated: DataFrame, source: Source) -> DataFrame:
    """Per file of a source: records read, quarantined per reason, rule counts, feed counts, event time."""
    record = "_record_seq >= 0"
    good = f"({record} AND _reason IS NULL)"
    aggregates: list[tuple[str, str]] = [("read", _count(record))]
    for reason in QUARANTINE_REASONS:
        aggregates.append((f"q:{reason}", _count(f"{record} AND _reason = {literal(reason)}")))
    for index, rule in enumerate(row_rules(source)):
        reached = f"({record} AND __typed_ok)" if rule.severity == "error" else good
        aggregates.append((f"rule:{rule.name}:evaluated", _count(reached)))
        aggregates.append((f"rule:{rule.name}:failed", _count(f"{reached} AND __rule{index}")))
    feeds = [fed(index) for index in range(len(source.feeds))]
    fed_any = "(" + " OR ".join(feeds) + ")"
    for index, condition in enumerate(feeds):
        aggregates.append((f"fed{index}", _count(condition)))
    aggregates.append(("fed_any", _count(fed_any)))
    aggregates.append(("filtered", _count(f"{good} AND NOT {fed_any}")))
    aggregates.append(
        ("event_min", f"date_format(min(CASE WHEN {good} THEN _event_time END), 'yyyy-MM-dd HH:mm:ss')")
    )
    aggregates.append(
        ("event_max", f"date_format(max(CASE WHEN {good} THEN _event_time END), 'yyyy-MM-dd HH:mm:ss')")
    )
    aggregates.append(("note", "max(_file_note)"))
    return _long(validated, f"source:{source.source}", aggregates)


def entity_metric_rows(ranked: DataFrame, entity: Entity) -> DataFrame:
    """Per file feeding an entity: rows fed, kept, exact duplicates, superseded, null counts, sums."""
    aggregates: list[tuple[str, str]] = [
        ("fed", "count(1)"),
        ("kept", _count("_kept")),
        ("exact", _count("NOT _kept AND _exact")),
        ("superseded", _count("NOT _kept AND NOT _exact")),
        ("distinct", _count("_source_first")),
    ]
    for name in entity.column_names:
        aggregates.append((f"null:{name}", _count(f"_kept AND {ident(name)} IS NULL")))
    for name in entity.money_columns:
        aggregates.append((f"sum:{name}", f"sum(CASE WHEN _kept THEN {ident(name)} END)"))
    return _long(ranked, f"entity:{entity.name}", aggregates)


def multi_feed_row_rows(statuses: DataFrame) -> DataFrame:
    """Per file of a multi-feed source: each fed row counted once (curated if any feed kept it)."""
    per_row = statuses.groupBy("_file_idx", "_record_seq").agg(
        F.expr("max(_kept) AS _kept"), F.expr("max(_superseded) AS _sup")
    )
    return _long(
        per_row,
        "rows",
        [
            ("rows", "count(1)"),
            ("curated", _count("_kept")),
            ("superseded", _count("NOT _kept AND _sup")),
            ("exact", _count("NOT _kept AND NOT _sup")),
        ],
    )


def union_all(frames: Iterable[DataFrame]) -> DataFrame:
    frames = list(frames)
    result = frames[0]
    for frame in frames[1:]:
        result = result.union(frame)
    return result


def collect_long(frame: DataFrame) -> Long:
    values: Long = defaultdict(dict)
    for row in frame.collect():
        values[(row["scope"], row["_file_idx"])][row["name"]] = row["value"]
    return values


def _int(values: dict[str, str], name: str) -> int:
    value = values.get(name)
    return int(value) if value is not None else 0


def money_text(value: Decimal) -> str:
    """A money amount as decimal text, exactly: at least two decimals, no trailing zeros beyond them (the TS
    side reads it back the same way, src/warehouse/money.ts).

    >>> money_text(Decimal("32.4900")), money_text(Decimal("0.0030")), money_text(Decimal("7"))
    ('32.49', '0.003', '7.00')
    """
    whole, _, fraction = format(value if value != 0 else Decimal(0), "f").partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def _sum_text(parts: Iterable[Optional[str]]) -> Optional[str]:
    numbers = [Decimal(part) for part in parts if part is not None]
    return money_text(sum(numbers, Decimal(0))) if numbers else None


def assemble(
    long: Long,
    bundle: Bundle,
    files: Sequence[dict[str, Any]],
    entity_sources: dict[str, list[str]],
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Folds the collected rows into (sources, entities, conservation failures).

    ``files``: one dict per input (index, uri, key, source, format, gzip, batch_date, error).
    ``entity_sources``: entity -> sources feeding it in this run.
    """
    import json

    sources: dict[str, Any] = {}
    failures: list[str] = []
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for file in files:
        by_source[file["source"]].append(file)
    entities_out: dict[str, Any] = {}
    for entity_name in sorted(entity_sources):
        entity = bundle.entities[entity_name]
        parts = [long.get((f"entity:{entity_name}", file["index"]), {}) for file in files]
        entities_out[entity_name] = {
            "rows_curated": sum(_int(part, "kept") for part in parts),
            "sums": {
                name: _sum_text(part.get(f"sum:{name}") for part in parts) for name in entity.money_columns
            },
            "sources": entity_sources[entity_name],
        }
    for source_name in sorted(by_source):
        source = bundle.sources.get(source_name)
        file_entries = []
        totals: dict[str, int] = defaultdict(int)
        reasons: dict[str, int] = {reason: 0 for reason in QUARANTINE_REASONS}
        event_min: list[str] = []
        event_max: list[str] = []
        entity_totals: dict[str, dict[str, Any]] = {}
        rule_totals: dict[str, dict[str, int]] = defaultdict(lambda: {"evaluated": 0, "failed": 0})
        for file in by_source[source_name]:
            values = long.get((f"source:{source_name}", file["index"]), {})
            note = json.loads(values["note"]) if values.get("note") else {}
            error = file.get("error") or note.get("error")
            entry: dict[str, Any] = {
                "uri": file["uri"],
                "key": file["key"],
                "format": file.get("format"),
                "gzip": file.get("gzip"),
                "batch_date": file.get("batch_date"),
                "rows_read": _int(values, "read"),
                "rows_quarantined": sum(_int(values, f"q:{reason}") for reason in QUARANTINE_REASONS),
                "quarantined_by_reason": {
                    reason: _int(values, f"q:{reason}") for reason in QUARANTINE_REASONS
                },
                "exact_duplicates": 0,
                "superseded": 0,
                "rows_curated": 0,
                "rows_filtered": _int(values, "filtered"),
                "missing_columns": note.get("missing_columns", []),
                "unexpected_columns": note.get("unexpected_columns", []),
                "error": error,
            }
            if source is not None and len(source.feeds) == 1:
                part = long.get((f"entity:{source.feeds[0].entity}", file["index"]), {})
                entry["rows_curated"] = _int(part, "kept")
                entry["exact_duplicates"] = _int(part, "exact")
                entry["superseded"] = _int(part, "superseded")
                fed_checked = _int(part, "fed") == _int(values, "fed0")
                fed_text = f"fed to the entity {_int(values, 'fed0')} but dedup saw {_int(part, 'fed')}"
            else:
                part = long.get(("rows", file["index"]), {})
                entry["rows_curated"] = _int(part, "curated")
                entry["exact_duplicates"] = _int(part, "exact")
                entry["superseded"] = _int(part, "superseded")
                fed_checked = _int(part, "rows") == _int(values, "fed_any")
                fed_text = f"fed to some feed {_int(values, 'fed_any')} but dedup saw {_int(part, 'rows')}"
            accounted = (
                entry["rows_quarantined"]
                + entry["rows_curated"]
                + entry["exact_duplicates"]
                + entry["superseded"]
                + entry["rows_filtered"]
            )
            entry["conservation_holds"] = accounted == entry["rows_read"] and fed_checked
            if accounted != entry["rows_read"]:
                failures.append(
                    f"{file['uri']}: rows_read {entry['rows_read']} != curated {entry['rows_curated']} + "
                    f"quarantined {entry['rows_quarantined']} + "
                    f"exact duplicates {entry['exact_duplicates']} + "
                    f"superseded {entry['superseded']} + filtered {entry['rows_filtered']}"
                )
            if not fed_checked:
                failures.append(f"{file['uri']}: rows {fed_text}")
            lines = note.get("lines")
            entry["lines"] = lines
            if lines is not None and lines["records"] != entry["rows_read"]:
                # Counted from the file's physical lines (the scan) against the records actually read: a line
                # lost or merged into another record on the way shows here.
                entry["conservation_holds"] = False
                failures.append(
                    f"{file['uri']}: {lines['physical']} physical lines = header {lines['header']} + blank "
                    f"{lines['blank']} + lines of multiline records {lines['in_multiline_records']} + "
                    f"one line per other record: {lines['records']} records expected, "
                    f"{entry['rows_read']} read"
                )
            file_entries.append(entry)
            for name in ("rows_read", "rows_quarantined", "exact_duplicates", "superseded"):
                totals[name] += entry[name]
            totals["rows_curated"] += entry["rows_curated"]
            totals["rows_filtered"] += entry["rows_filtered"]
            for reason in QUARANTINE_REASONS:
                reasons[reason] += entry["quarantined_by_reason"][reason]
            if values.get("event_min"):
                event_min.append(values["event_min"])
            if values.get("event_max"):
                event_max.append(values["event_max"])
            if source is None:
                continue
            for rule in row_rules(source):
                rule_totals[rule.name]["evaluated"] += _int(values, f"rule:{rule.name}:evaluated")
                rule_totals[rule.name]["failed"] += _int(values, f"rule:{rule.name}:failed")
            for feed_entity in sorted({feed.entity for feed in source.feeds}):
                entity = bundle.entities[feed_entity]
                part = long.get((f"entity:{feed_entity}", file["index"]), {})
                slot = entity_totals.setdefault(
                    feed_entity,
                    {
                        "rows_fed": 0,
                        "rows_curated": 0,
                        "exact_duplicates": 0,
                        "superseded": 0,
                        "distinct_keys": 0,
                        "null_counts": {name: 0 for name in entity.column_names},
                        "_sums": defaultdict(list),
                    },
                )
                slot["rows_fed"] += _int(part, "fed")
                slot["rows_curated"] += _int(part, "kept")
                slot["exact_duplicates"] += _int(part, "exact")
                slot["superseded"] += _int(part, "superseded")
                slot["distinct_keys"] += _int(part, "distinct")
                for name in entity.column_names:
                    slot["null_counts"][name] += _int(part, f"null:{name}")
                for name in entity.money_columns:
                    slot["_sums"][name].append(part.get(f"sum:{name}"))
        for slot in entity_totals.values():
            sums = slot.pop("_sums")
            slot["sums"] = {name: _sum_text(parts) for name, parts in sorted(sums.items())}
        holds = all(entry["conservation_holds"] for entry in file_entries)
        summary: dict[str, Any] = {
            "files": file_entries,
            **{name: totals[name] for name in ("rows_read", "rows_quarantined")},
            "quarantined_by_reason": reasons,
            **{
                name: totals[name]
                for name in ("exact_duplicates", "superseded", "rows_curated", "rows_filtered")
            },
            "event_time": {
                "min": min(event_min) if event_min else None,
                "max": max(event_max) if event_max else None,
            },
            "batch_dates": sorted({f["batch_date"] for f in by_source[source_name] if f.get("batch_date")}),
            "entities": entity_totals,
            "rules": _rules(source, rule_totals, totals, entity_totals, max(event_max) if event_max else None)
            if source is not None
            else {},
            "conservation": {"holds": holds, "files_checked": len(file_entries)},
        }
        sources[source_name] = summary
    return sources, entities_out, failures


def _rules(
    source: Source,
    rule_totals: dict[str, dict[str, int]],
    totals: dict[str, int],
    entity_totals: dict[str, dict[str, Any]],
    max_event_time: Optional[str],
) -> dict[str, Any]:
    """Per-rule figures for the CheckQuality Lambda (docs/interfaces.md, "Metrics JSON")."""
    out: dict[str, Any] = {}
    for rule in source.quality:
        entry: dict[str, Any] = {"rule": rule.rule, "severity": rule.severity, **rule.params}
        if rule.row_level:
            entry.update(rule_totals[rule.name])
        elif rule.rule == "unique":
            slot = entity_totals.get(rule.params.get("entity", ""), {})
            entry["evaluated"] = slot.get("rows_fed", 0)
            entry["failed"] = slot.get("exact_duplicates", 0) + slot.get("superseded", 0)
        elif rule.rule == "max_reject_rate":
            entry["evaluated"] = totals["rows_read"]
            entry["failed"] = totals["rows_quarantined"]
        elif rule.rule == "row_count_min":
            entry["evaluated"] = totals["rows_curated"]
        elif rule.rule == "row_count_anomaly":
            entry["evaluated"] = totals["rows_read"]
        elif rule.rule == "freshness":
            entry["max_event_time"] = max_event_time
        out[rule.name] = entry
    return out
