"""Test helpers: lay out a batch of raw files under a temporary folder and run the job on it."""

import gzip
import json
from pathlib import Path
from typing import Any, Optional, Union

from pyspark.sql import DataFrame, SparkSession

from pipeline_spark.contracts import Bundle
from pipeline_spark.job import run_job
from pipeline_spark.manifest import Manifest, parse_manifest

# The trigger's extension -> format rule (src/contracts/file-formats.ts) for the file names tests use: the
# job itself never derives a format, it reads the manifest's.
_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
}


def file_type(name: str) -> tuple[str, Optional[str]]:
    """(format, compression) of a file name as the trigger classifies it: ``x.csv.gz`` -> ('csv', 'gzip')."""
    lowered = name.lower()
    compression = "gzip" if lowered.endswith(".gz") else None
    base = lowered[: -len(".gz")] if compression else lowered
    return next((f for suffix, f in _FORMATS.items() if base.endswith(suffix)), "csv"), compression


def file_uri(path: Path) -> str:
    """file:// URI as the local stage writes it (not percent-encoded)."""
    return "file://" + str(path)


class Batch:
    """Raw files of one run under ``root/raw/<source>/dt=<date>/``, outputs under ``root/out/``.

    >>> batch = Batch(tmp_path)
    >>> batch.add("orders", "orders-2017-01-05.csv", "order_id,...\\n")
    >>> metrics = batch.run(spark, bundle)
    """

    def __init__(self, root: Path, run_id: str = "run-test-1", started_at: str = "2026-11-21T19:47:00.000Z"):
        self.root = root
        self.run_id = run_id
        self.started_at = started_at
        self.inputs: list[dict[str, Any]] = []

    @property
    def raw_root(self) -> str:
        return file_uri(self.root / "raw") + "/"

    def add(
        self,
        source: str,
        name: str,
        content: Union[str, bytes],
        batch_date: str = "2017-01-05",
        compress: Optional[bool] = None,
        input_source: Optional[str] = None,
        file_format: Optional[str] = None,
    ) -> str:
        key = f"{source}/dt={batch_date}/{name}"
        path = self.root / "raw" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if compress if compress is not None else name.endswith(".gz"):
            data = gzip.compress(data)
        path.write_bytes(data)
        derived, compression = file_type(name)
        self.inputs.append(
            {
                "uri": file_uri(path),
                "source": input_source or source,
                "key": key,
                "etag": "x",
                "size": len(data),
                "format": file_format or derived,
                "compression": compression,
                "batch_date": batch_date,
                "uploaded_at": "2026-11-21T19:46:58.000Z",
                "version": "001796591735123:",
            }
        )
        return file_uri(path)

    def manifest_document(self) -> dict[str, Any]:
        out = self.root / "out"
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "contracts_uri": file_uri(self.root / "contracts.bundle.json"),
            "bundle_checksum": "test",
            "inputs": self.inputs,
            "outputs": {
                "curated_uri": file_uri(out / "curated") + "/",
                "quarantine_uri": file_uri(out / "quarantine") + "/",
                "metrics_uri": file_uri(out / "metrics" / f"{self.run_id}.json"),
            },
        }

    def manifest(self) -> Manifest:
        return parse_manifest(json.dumps(self.manifest_document()))

    def write_manifest(self, bundle_document: dict[str, Any]) -> str:
        (self.root / "contracts.bundle.json").write_text(json.dumps(bundle_document))
        path = self.root / "manifests" / f"{self.run_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.manifest_document()))
        return file_uri(path)

    def run(self, spark: SparkSession, bundle: Bundle, **options: Any) -> dict[str, Any]:
        return run_job(spark, self.manifest(), bundle, **options)

    def curated_path(self, entity: str) -> Path:
        return self.root / "out" / "curated" / entity / f"run_id={self.run_id}"

    def quarantine_path(self, source: str) -> Path:
        return self.root / "out" / "quarantine" / source / f"run_id={self.run_id}"

    def curated(self, spark: SparkSession, entity: str) -> DataFrame:
        return spark.read.parquet(file_uri(self.curated_path(entity)))

    def quarantine(self, spark: SparkSession, source: str) -> DataFrame:
        return spark.read.parquet(file_uri(self.quarantine_path(source)))

    def output_files(self) -> list[str]:
        out = self.root / "out"
        return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
