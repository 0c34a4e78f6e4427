"""The run manifest (docs/interfaces.md, "Run manifest"): what one run reads and where it writes.

Checked against the manifest's exported schema (``schemas/manifest.json``, from
``src/documents/manifest.ts``); every field the trigger classified (source, format, compression, batch
date) is trusted as written: the job never derives them from the key again.
"""

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from pipeline_spark.documents import parse
from pipeline_spark.errors import ManifestError


@dataclass(frozen=True)
class Input:
    """One raw object of the batch."""

    index: int
    uri: str
    source: str
    key: str
    size: Optional[int]
    format: str  # csv, jsonl or parquet: the trigger's classification of the key
    gzip: bool
    batch_date: Optional[str]
    uploaded_at: Optional[str]


@dataclass(frozen=True)
class Manifest:
    run_id: str
    started_at: str
    contracts_uri: str
    inputs: tuple[Input, ...]
    curated_uri: str
    quarantine_uri: str
    metrics_uri: str

    def curated_output(self, entity: str) -> str:
        return f"{self.curated_uri}{entity}/run_id={self.run_id}/"

    def quarantine_output(self, source: str) -> str:
        return f"{self.quarantine_uri}{source}/run_id={self.run_id}/"


def _folder(uri: str) -> str:
    return uri if uri.endswith("/") else uri + "/"


def timestamp_text(iso: Optional[str]) -> Optional[str]:
    """'2026-11-21T19:46:58.000Z' -> '2026-11-21 19:46:58.000' (UTC), for a Spark timestamp literal."""
    if iso is None:
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError as error:
        raise ManifestError(f"run manifest: {iso!r} is not an ISO-8601 timestamp", error) from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def parse_manifest(text: str) -> Manifest:
    """Parses and validates a run manifest.

    >>> manifest = parse_manifest(json.dumps({...}))
    >>> manifest.curated_output("orders")
    'file:///.../curated/curated/orders/run_id=run-1/'
    """
    document = parse("manifest", text, ManifestError, "run manifest")
    inputs: list[Input] = []
    seen = set()
    for index, raw in enumerate(document["inputs"]):
        if raw["uri"] in seen:
            raise ManifestError(f"run manifest: inputs[{index}].uri: {raw['uri']} is listed twice")
        seen.add(raw["uri"])
        inputs.append(
            Input(
                index=index,
                uri=raw["uri"],
                source=raw["source"],
                key=raw["key"],
                size=raw["size"],
                format=raw["format"],
                gzip=raw["compression"] == "gzip",
                batch_date=raw["batch_date"],
                uploaded_at=timestamp_text(raw["uploaded_at"]),
            )
        )
    outputs = document["outputs"]
    return Manifest(
        run_id=document["run_id"],
        started_at=timestamp_text(document["started_at"]) or "",
        contracts_uri=document["contracts_uri"],
        inputs=tuple(inputs),
        curated_uri=_folder(outputs["curated_uri"]),
        quarantine_uri=_folder(outputs["quarantine_uri"]),
        metrics_uri=outputs["metrics_uri"],
    )
