"""The run manifest (docs/interfaces.md, "Run manifest"): what one run reads and where it writes."""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

from pipeline_spark.errors import ManifestError

_BATCH_DATE = re.compile(r"(?:^|/)dt=(\d{4}-\d{2}-\d{2})(?:/|$)")


@dataclass(frozen=True)
class Input:
    """One raw object of the batch."""

    index: int
    uri: str
    source: str
    key: str
    size: Optional[int]
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


def _text(document: dict[str, Any], key: str, path: str) -> str:
    value = document.get(key) if isinstance(document, dict) else None
    if not isinstance(value, str) or not value:
        raise ManifestError(f"run manifest: {path}{key}: must be a non-empty string")
    return value


def _folder(uri: str) -> str:
    return uri if uri.endswith("/") else uri + "/"


def _key_of(uri: str, source: str) -> str:
    """The object key inside the raw bucket: from the first `/<source>/` segment of the URI."""
    marker = f"/{source}/"
    position = uri.find(marker)
    return uri[position + 1 :] if position >= 0 else uri.rsplit("/", 1)[-1]


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


def batch_date_of(key: str) -> Optional[str]:
    """The business date of an object key: `orders/dt=2017-01-05/x.csv` -> '2017-01-05'."""
    match = _BATCH_DATE.search(key)
    return match.group(1) if match else None


def parse_manifest(text: str) -> Manifest:
    """Parses and validates a run manifest.

    >>> manifest = parse_manifest(json.dumps({...}))
    >>> manifest.curated_output("orders")
    'file:///.../curated/curated/orders/run_id=run-1/'
    """
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ManifestError(f"run manifest: not valid JSON: {error}", error) from error
    if not isinstance(document, dict):
        raise ManifestError("run manifest: must be a JSON object")
    run_id = _text(document, "run_id", "")
    if not re.match(r"^[A-Za-z0-9_.=-]{1,80}$", run_id):
        raise ManifestError("run manifest: run_id: must be 1-80 characters of [A-Za-z0-9_.=-]")
    started_at = document.get("started_at")
    if started_at is not None and not isinstance(started_at, str):
        raise ManifestError("run manifest: started_at: must be an ISO-8601 string")
    started = timestamp_text(started_at) if started_at else None
    raw_inputs = document.get("inputs")
    if not isinstance(raw_inputs, list):
        raise ManifestError("run manifest: inputs: must be a list")
    inputs: list[Input] = []
    seen = set()
    for index, raw in enumerate(raw_inputs):
        path = f"inputs[{index}]."
        uri = _text(raw, "uri", path)
        source = _text(raw, "source", path)
        if uri in seen:
            raise ManifestError(f"run manifest: {path}uri: {uri} is listed twice")
        seen.add(uri)
        key = raw.get("key") or _key_of(uri, source)
        size = raw.get("size")
        if size is not None and (not isinstance(size, int) or size < 0):
            raise ManifestError(f"run manifest: {path}size: must be a non-negative integer")
        uploaded = raw.get("uploaded_at")
        inputs.append(
            Input(
                index=index,
                uri=uri,
                source=source,
                key=key,
                size=size,
                batch_date=batch_date_of(key) or raw.get("batch_date"),
                uploaded_at=timestamp_text(uploaded) if uploaded else None,
            )
        )
    outputs = document.get("outputs")
    if not isinstance(outputs, dict):
        raise ManifestError("run manifest: outputs: must be an object")
    return Manifest(
        run_id=run_id,
        started_at=started or timestamp_text(datetime.now(timezone.utc).isoformat()) or "",
        contracts_uri=_text(document, "contracts_uri", ""),
        inputs=tuple(inputs),
        curated_uri=_folder(_text(outputs, "curated_uri", "outputs.")),
        quarantine_uri=_folder(_text(outputs, "quarantine_uri", "outputs.")),
        metrics_uri=_text(outputs, "metrics_uri", "outputs."),
    )
