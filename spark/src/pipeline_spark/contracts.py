"""The compiled contract bundle (``.build/contracts.bundle.json``) as typed Python objects.

The bundle is produced and validated by ``src/contracts/load.ts``; the job reads only that JSON,
never the YAML. Its shape is checked against the exported schema (``schemas/bundle.json``, from
``src/documents/bundle.ts``), failing with the offending path, so a bundle from a different version is
refused rather than half-understood; this module adds the checks that span fields.
"""

import codecs
import re
from dataclasses import dataclass
from typing import Any, Optional

from pipeline_spark.documents import parse
from pipeline_spark.errors import ContractError

SOURCE_TYPE = re.compile(
    r"^(string|int|bigint|double|boolean|date|timestamp|decimal\((\d{1,2}),(\d{1,2})\))$"
)
ROW_LEVEL_RULES = ("not_null", "accepted_values", "range", "regex")
QUARANTINE_REASONS = ("malformed_row", "missing_required", "invalid_type", "rule_violation", "too_long")
# Width in bytes of the warehouse's _source_file column: a longer object URI is rejected as a file.
SOURCE_FILE_WIDTH = 1024
# Entity columns of this type are money (src/contracts/entities.ts, MONEY_TYPE): their sums go into the
# metrics for reconciliation.
MONEY_TYPE = "decimal(18,4)"


@dataclass(frozen=True)
class CsvOptions:
    header: bool
    delimiter: str
    quote: str
    escape: str
    encoding: str
    multiline: bool = False


@dataclass(frozen=True)
class BatchDate:
    """Where an object's batch date comes from (the trigger applies it; the manifest carries the date).

    ``key``: the ``dt=YYYY-MM-DD`` folder of the object key. ``file_name``: a regular expression with the
    named groups year, month and day over the file name (JavaScript syntax: ``(?<year>...)``). ``column``: the
    latest date in that column, read by ``pipeline drop`` before the upload, which files the object under
    ``dt=<date>/``.
    """

    source: str = "key"
    pattern: Optional[str] = None
    column: Optional[str] = None


@dataclass(frozen=True)
class SourceColumn:
    name: str
    type: str
    format: Optional[str]
    required: bool
    max_length: Optional[int] = None  # bytes the contract allows; longer values are too_long


@dataclass(frozen=True)
class FeedSelect:
    column: str
    type: str
    nullable: bool
    expression: str


@dataclass(frozen=True)
class Feed:
    entity: str
    key: tuple[str, ...]
    filter: Optional[str]
    select: tuple[FeedSelect, ...]


@dataclass(frozen=True)
class Rule:
    name: str
    rule: str
    severity: str
    row_level: bool
    params: dict[str, Any]

    @property
    def column(self) -> Optional[str]:
        return self.params.get("column")


@dataclass(frozen=True)
class Source:
    source: str
    formats: tuple[str, ...]
    csv: Optional[CsvOptions]
    null_values: tuple[str, ...]
    columns: tuple[SourceColumn, ...]
    event_time: Optional[str]
    feeds: tuple[Feed, ...]
    quality: tuple[Rule, ...]
    batch_date: BatchDate = BatchDate()

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column_index(self, name: str) -> int:
        return self.column_names.index(name)


@dataclass(frozen=True)
class EntityColumn:
    name: str
    type: str
    nullable: bool
    max_length: Optional[int] = None  # bytes of the warehouse column; longer values are too_long
    # Added to the staging table later by ALTER TABLE ADD COLUMN (new, or again with a wider type), which puts
    # it after the lineage columns; COPY maps Parquet columns by position, so curated files put it there too.
    appended: bool = False


@dataclass(frozen=True)
class Entity:
    name: str
    key: tuple[str, ...]
    columns: tuple[EntityColumn, ...]
    # What a run deduplicates on: the key for facts, key + effective_at for dimensions (every version counts).
    dedupe_key: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def money_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.type == MONEY_TYPE]

    def curated_column_names(self, lineage: tuple[str, ...]) -> list[str]:
        """The curated file's columns in order (= the staging table's): first-release entity columns,
        the lineage columns, then the appended entity columns.

        >>> bundle.entities["customers"].curated_column_names(CURATED_LINEAGE)[-1]
        'country'
        """
        return (
            [column.name for column in self.columns if not column.appended]
            + list(lineage)
            + [column.name for column in self.columns if column.appended]
        )


@dataclass(frozen=True)
class Bundle:
    checksum: str
    entities: dict[str, Entity]
    curated_lineage_columns: tuple[str, ...]
    sources: dict[str, Source]


def _batch_date(raw: Any) -> BatchDate:
    if raw is None or raw["from"] == "key":  # absent in bundles compiled before contracts could say
        return BatchDate()
    if raw["from"] == "column":
        return BatchDate(source="column", column=raw["column"])
    return BatchDate(source="file_name", pattern=raw["pattern"])


def _source(name: str, raw: dict[str, Any]) -> Source:
    path = f"sources.{name}"
    columns = []
    for index, column in enumerate(raw["columns"]):
        column_type = column["type"]
        if not SOURCE_TYPE.match(column_type):
            raise ContractError(
                f"contract bundle: {path}.columns[{index}].type: unsupported type {column_type}"
            )
        columns.append(
            SourceColumn(
                name=column["name"],
                type=column_type,
                format=column.get("format"),
                required=bool(column.get("required", False)),
                max_length=column.get("max_length"),
            )
        )
    csv_raw = raw.get("csv")
    csv_options = None
    if csv_raw is not None:
        csv_options = CsvOptions(
            header=bool(csv_raw.get("header", True)),
            delimiter=csv_raw.get("delimiter", ","),
            quote=csv_raw.get("quote", '"'),
            escape=csv_raw.get("escape", '"'),
            encoding=csv_raw.get("encoding", "UTF-8"),
            multiline=bool(csv_raw.get("multiline", False)),
        )
        try:
            codecs.lookup(csv_options.encoding)
        except LookupError as error:
            raise ContractError(
                f"contract bundle: {path}.csv.encoding: unknown encoding {csv_options.encoding}", error
            ) from error
    feeds = []
    for feed in raw["feeds"]:
        feeds.append(
            Feed(
                entity=feed["entity"],
                key=tuple(feed["key"]),
                filter=feed.get("filter"),
                select=tuple(
                    FeedSelect(
                        column=select["column"],
                        type=select["type"],
                        nullable=bool(select["nullable"]),
                        expression=select["expression"],
                    )
                    for select in feed["select"]
                ),
            )
        )
    rules = []
    for rule in raw.get("quality", []):
        rules.append(
            Rule(
                name=rule["name"],
                rule=rule["rule"],
                severity=rule["severity"],
                row_level=bool(rule.get("row_level", rule.get("rule") in ROW_LEVEL_RULES)),
                params={k: v for k, v in rule.items() if k not in ("name", "rule", "severity", "row_level")},
            )
        )
    names = [column.name for column in columns]
    event_time = raw.get("event_time")
    if event_time is not None and event_time not in names:
        raise ContractError(f"contract bundle: {path}.event_time: {event_time} is not a column")
    for rule in rules:
        if rule.row_level and rule.column not in names:
            raise ContractError(f"contract bundle: {path}.quality.{rule.name}: unknown column {rule.column}")
    return Source(
        source=name,
        batch_date=_batch_date(raw.get("batch_date")),
        formats=tuple(raw["formats"]),
        csv=csv_options,
        null_values=tuple(raw.get("null_values", [""])),
        columns=tuple(columns),
        event_time=event_time,
        feeds=tuple(feeds),
        quality=tuple(rules),
    )


def parse_bundle(text: str) -> Bundle:
    """Parses the compiled bundle JSON.

    >>> bundle = parse_bundle(open(".build/contracts.bundle.json").read())
    >>> bundle.sources["orders"].feeds[0].entity
    'orders'
    """
    document = parse("bundle", text, ContractError, "contract bundle")
    entities = {
        name: Entity(
            name=name,
            key=tuple(raw["key"]),
            dedupe_key=tuple(raw.get("dedupe_key") or raw["key"]),
            columns=tuple(
                EntityColumn(
                    name=c["name"],
                    type=c["type"],
                    nullable=bool(c["nullable"]),
                    max_length=c.get("max_length"),
                    appended=bool(c.get("appended", False)),
                )
                for c in raw["columns"]
            ),
        )
        for name, raw in document["entities"].items()
    }
    sources = {name: _source(name, raw) for name, raw in document["sources"].items()}
    for source in sources.values():
        for index, feed in enumerate(source.feeds):
            if feed.entity not in entities:
                raise ContractError(
                    f"contract bundle: sources.{source.source}.feeds[{index}].entity: "
                    f"unknown entity {feed.entity}"
                )
            expected = entities[feed.entity].column_names
            if [select.column for select in feed.select] != expected:
                raise ContractError(
                    f"contract bundle: sources.{source.source}.feeds[{index}].select: columns must be "
                    f"{expected} in that order"
                )
    return Bundle(
        checksum=document["checksum"],
        entities=entities,
        curated_lineage_columns=tuple(
            document.get(
                "curated_lineage_columns", ["_run_id", "_source_file", "_source_line", "_ingested_at"]
            )
        ),
        sources=sources,
    )
