"""Whole generated days checked against the generator's expected truth (src/generator).

The generator writes raw files with the real-world quirks (sometimes-quoted values, leading-zero
zips, BOM + CRLF, missing final newline, embedded newlines, gzip, JSON lines) and defects (exact
duplicates, corrected rows, malformed rows of every kind), plus what a correct run over one day must
produce. Each day here is one run: per-file counts, the quarantined rows and the curated rows of
every entity must match exactly.
"""

import json
import os
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import REPO
from helpers import file_type, file_uri
from pipeline_spark.job import run_job
from pipeline_spark.manifest import parse_manifest

# Day 2017-01-02 carries the category translation file (BOM + CRLF); 2017-01-07 has payments as
# JSON lines and gzip'd order items (see layout() in src/generator/write.ts).
DAYS = ["2017-01-02", "2017-01-07"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    tsx = REPO / "node_modules" / ".bin" / "tsx"
    env = dict(os.environ, PATH=f"{REPO / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [str(tsx), "src/cli/main.ts", "generate", "--orders", "400", "--seed", "7", "--out", str(out)]
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True, timeout=300)
    return out


def _manifest(root: Path, day: str, run_id: str) -> dict:
    raw = root / "raw"
    inputs = []
    for path in sorted(raw.glob(f"*/dt={day}/*")):
        key = str(path.relative_to(raw))
        inputs.append(
            {
                "uri": file_uri(path),
                "source": key.split("/")[0],
                "key": key,
                "etag": "x",
                "size": path.stat().st_size,
                **dict(zip(("format", "compression"), file_type(path.name))),
                "batch_date": day,
                "uploaded_at": f"{day}T23:00:00.000Z",
                "version": "001796591735123:",
            }
        )
    out = root / "out" / run_id
    return {
        "run_id": run_id,
        "started_at": "2026-11-21T19:47:00.000Z",
        "contracts_uri": "unused",
        "bundle_checksum": "unused",
        "inputs": inputs,
        "outputs": {
            "curated_uri": file_uri(out / "curated") + "/",
            "quarantine_uri": file_uri(out / "quarantine") + "/",
            "metrics_uri": file_uri(out / "metrics.json"),
        },
    }


def _read_jsonl(path: Path) -> list:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _curated_as_truth(spark, uri: str, raw_root: str, bundle, entity: str) -> list:
    """Curated Parquet rows spelled as the generator spells them (decimals and timestamps as text)."""
    columns = []
    for column in bundle.entities[entity].columns:
        if column.type.startswith("decimal"):
            columns.append(f"CAST(`{column.name}` AS string) AS `{column.name}`")
        elif column.type == "timestamp":
            columns.append(f"date_format(`{column.name}`, 'yyyy-MM-dd HH:mm:ss') AS `{column.name}`")
        else:
            columns.append(f"`{column.name}`")
    columns.append(f"substring(_source_file, {len(raw_root) + 1}) AS _source_file")
    columns.append("_source_line")
    return [row.asDict() for row in spark.read.parquet(uri).selectExpr(*columns).collect()]


def _sorted(rows: list) -> list:
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))


@pytest.fixture(scope="module", params=DAYS)
def day_run(request, spark, bundle, generated):
    day = request.param
    document = _manifest(generated, day, f"run-{day}")
    metrics = run_job(spark, parse_manifest(json.dumps(document)), bundle)
    truth = json.loads((generated / "expected" / "truth.json").read_text())
    return day, document, metrics, truth


def test_per_file_counts_match_the_truth(day_run):
    day, document, metrics, truth = day_run
    expected = {key: value for key, value in truth["files"].items() if value["batch_date"] == day}
    actual = {}
    for source in metrics["sources"].values():
        for file in source["files"]:
            actual[file["key"]] = {
                "rows_read": file["rows_read"],
                "quarantined": {r: n for r, n in file["quarantined_by_reason"].items() if n},
                "exact_duplicates": file["exact_duplicates"],
                "superseded": file["superseded"],
                "rows_curated": file["rows_curated"],
                "error": file["error"],
            }
    assert sorted(actual) == sorted(expected)
    for key, want in expected.items():
        assert actual[key] == {
            "rows_read": want["rows_read"],
            "quarantined": want["quarantined"],
            "exact_duplicates": want["exact_duplicates"],
            "superseded": want["superseded"],
            "rows_curated": sum(want["curated"].values()),
            "error": None,
        }, key
    assert metrics["conservation"] == {"holds": True, "failures": []}
    assert len(document["inputs"]) == len(expected)


def test_quarantined_rows_match_the_truth(spark, bundle, generated, day_run):
    day, _, metrics, _ = day_run
    raw_root = file_uri(generated / "raw") + "/"
    expected = {}
    for path in (generated / "expected" / "quarantine").glob(f"*/dt={day}.jsonl"):
        expected[path.parent.name] = _sorted(_read_jsonl(path))
    actual = {}
    for source, figures in metrics["sources"].items():
        if figures["quarantine_uri"] is None:
            continue
        rows = spark.read.parquet(figures["quarantine_uri"]).selectExpr(
            f"substring(_source_file, {len(raw_root) + 1}) AS _source_file",
            "_source_line",
            "_reason",
            "_reason_column",
        )
        actual[source] = _sorted([row.asDict() for row in rows.collect()])
    assert actual == expected


def test_curated_rows_match_the_truth(spark, bundle, generated, day_run):
    day, _, metrics, _ = day_run
    raw_root = file_uri(generated / "raw") + "/"
    expected = {}
    for path in (generated / "expected" / "curated").glob(f"*/dt={day}.jsonl"):
        expected[path.parent.name] = _sorted(_read_jsonl(path))
    actual = defaultdict(list)
    for entity, figures in metrics["entities"].items():
        if figures["uri"]:
            actual[entity] = _sorted(_curated_as_truth(spark, figures["uri"], raw_root, bundle, entity))
    assert len(expected) >= 5, "a generated day feeds most entities"
    assert sorted(actual) == sorted(expected)
    for entity, rows in expected.items():
        assert len(actual[entity]) == len(rows), entity
        assert actual[entity] == rows, entity
