"""The transformation job: raw files of one batch -> curated Parquet, quarantine, metrics.

``run_job`` works on any running SparkSession (the warm local process, tests, EMR Serverless);
``execute`` adds the small-file I/O (manifest, bundle, metrics JSON); ``main`` is the spark-submit
entry point. Nothing here knows whether URIs are s3:// or file://.
"""

import argparse
import json
import logging
import math
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Optional

from pyspark.sql import DataFrame, SparkSession

from pipeline_spark import fs
from pipeline_spark.contracts import SOURCE_FILE_WIDTH, Bundle, parse_bundle
from pipeline_spark.dedup import (
    by_natural_key,
    curated_rows,
    fed_rows,
    row_status,
    union_feeds,
    with_dedup_status,
)
from pipeline_spark.errors import ConservationError, PipelineError, describe
from pipeline_spark.failure import write_error_document
from pipeline_spark.jvm import with_row_count
from pipeline_spark.manifest import Manifest, parse_manifest
from pipeline_spark.metrics import (
    assemble,
    collect_long,
    entity_metric_rows,
    multi_feed_row_rows,
    source_metric_rows,
    union_all,
)
from pipeline_spark.reading import (
    SourceScan,
    TextFile,
    read_parquet_file,
    read_text_source,
    scan_text_sources,
)
from pipeline_spark.session import configure_run, materialize, release
from pipeline_spark.validation import (
    FileLineage,
    RunValues,
    check_feed_expressions,
    kept_columns,
    quarantine_rows,
    validate_source,
    with_run_lineage,
)

log = logging.getLogger("pipeline_spark")

# Rows per output file: a small day is one file per entity, a big batch is split (~30-60 MB files).
ROWS_PER_FILE = 1_000_000
# Output folders written at once (each write is a Spark job of its own).
WRITE_THREADS = 8
# A gzip file is counted at this multiple of its size when sizing shuffles.
GZIP_RATIO = 5


def _iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_inputs(manifest: Manifest, bundle: Bundle) -> list[dict[str, Any]]:
    """The run's files as the manifest classified them; one the bundle cannot read (unknown source, a format
    its contract does not accept, a URI too long for the warehouse) is rejected with a reason."""
    files = []
    for item in manifest.inputs:
        entry: dict[str, Any] = {
            "index": item.index,
            "uri": item.uri,
            "key": item.key,
            "source": item.source,
            "batch_date": item.batch_date,
            "size": item.size,
            "format": item.format,
            "gzip": item.gzip,
            "error": None,
        }
        source = bundle.sources.get(item.source)
        if len(item.uri.encode("utf-8")) > SOURCE_FILE_WIDTH:
            entry["error"] = (
                f"object URI of {len(item.uri.encode('utf-8'))} bytes: longer than the {SOURCE_FILE_WIDTH} "
                "the warehouse keeps as _source_file; use a shorter key"
            )
        elif source is None:
            entry["error"] = f"unknown source {item.source}: no contract in the bundle"
        elif item.format not in source.formats:
            entry["error"] = (
                f"unsupported file type for source {item.source}: "
                f"{item.format} is not one of {list(source.formats)}"
            )
        files.append(entry)
    return files


def _size_inputs(spark: SparkSession, files: Sequence[dict[str, Any]]) -> int:
    """Fills in each readable file's size and returns the run's input bytes (gzip counted at its
    usual expansion) for sizing the shuffles. A file that is gone is rejected with a reason."""
    total = 0
    for entry in files:
        if entry["error"]:
            continue
        if entry["size"] is None:
            try:
                entry["size"] = fs.size_of(spark, entry["uri"])
            except PipelineError as error:
                entry["error"] = str(error)
                continue
        total += entry["size"] * (GZIP_RATIO if entry["gzip"] else 1)
    return total


def _scan_text(
    spark: SparkSession, bundle: Bundle, readable: dict[str, list[dict[str, Any]]], small: bool
) -> dict[str, SourceScan]:
    """One Spark job over every csv/jsonl file of the run (line counts per split, headers)."""
    text: dict[str, tuple[Any, list[TextFile]]] = {}
    for name, entries in sorted(readable.items()):
        files = [
            TextFile(entry["index"], entry["uri"], entry["format"], bool(entry["gzip"]))
            for entry in entries
            if entry["format"] in ("csv", "jsonl")
        ]
        if files:
            text[name] = (bundle.sources[name], files)
    return scan_text_sources(spark, text, small)


def _read_source(
    spark: SparkSession,
    bundle: Bundle,
    name: str,
    files: Sequence[dict[str, Any]],
    scan: Optional[SourceScan],
) -> DataFrame:
    source = bundle.sources[name]
    frames: list[DataFrame] = read_text_source(spark, scan) if scan is not None else []
    for entry in files:
        if entry["format"] == "parquet":
            frames.append(read_parquet_file(spark, entry["uri"], entry["index"], source))
    return union_all(frames)


def _write_parquet(frame: DataFrame, uri: str, files: int) -> int:
    """Writes one output folder (overwriting it) and returns the rows actually written, counted by an
    observation on the write itself (no second pass)."""
    observed, observation = with_row_count(frame.coalesce(files))
    observed.write.mode("overwrite").parquet(fs.hadoop_path(uri))
    return int(observation.getAsJava().get("rows"))


def run_job(
    spark: SparkSession, manifest: Manifest, bundle: Bundle, rows_per_file: int = ROWS_PER_FILE
) -> dict[str, Any]:
    """Transforms one batch and writes its curated and quarantine outputs; returns the metrics.

    Raises ``ConservationError`` (with ``.metrics``) when rows_read != curated + quarantined +
    duplicates (+ filtered) for a file, before anything is written.

    >>> metrics = run_job(spark, parse_manifest(text), parse_bundle(bundle_text))
    >>> metrics["sources"]["orders"]["conservation"]["holds"]
    True
    """
    clock = time.perf_counter()
    started_at = _iso_now()
    files = _check_inputs(manifest, bundle)
    partitions = configure_run(spark, _size_inputs(spark, files))
    readable: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in files:
        if entry["error"] is None:
            readable[entry["source"]].append(entry)
    for name in sorted(readable):
        check_feed_expressions(spark, bundle.sources[name])

    lineage = FileLineage(
        uris=tuple(item.uri for item in manifest.inputs),
        batch_dates=tuple(item.batch_date for item in manifest.inputs),
        uploaded_at=tuple(item.uploaded_at for item in manifest.inputs),
    )
    run = RunValues(run_id=manifest.run_id, ingested_at=manifest.started_at)
    small = partitions == 1
    scans = _scan_text(spark, bundle, readable, small)
    validated: dict[str, DataFrame] = {}
    kept_frames: list[DataFrame] = []  # what materialize keeps, released at the end
    for name in sorted(readable):
        raw = _read_source(spark, bundle, name, readable[name], scans.get(name))
        if small:
            # A small batch is processed as one partition end to end: a single-partition plan
            # satisfies every grouping, so the aggregations and windows need no shuffle at all.
            raw = raw.coalesce(1)
        indexes = [entry["index"] for entry in readable[name]]
        checked = validate_source(
            raw, bundle.sources[name], bundle.entities, lineage, run, file_indexes=indexes
        )
        kept = materialize(kept_columns(checked, bundle.sources[name]), small=small)
        kept_frames.append(kept)
        validated[name] = with_run_lineage(kept, lineage, run, indexes)

    feeds_by_entity: dict[str, list[DataFrame]] = defaultdict(list)
    entity_sources: dict[str, list[str]] = defaultdict(list)
    for name, frame in validated.items():
        for index, feed in enumerate(bundle.sources[name].feeds):
            feeds_by_entity[feed.entity].append(fed_rows(frame, name, index))
            if name not in entity_sources[feed.entity]:
                entity_sources[feed.entity].append(name)
    ranked: dict[str, DataFrame] = {
        entity: materialize(
            with_dedup_status(
                by_natural_key(union_feeds(frames), bundle.entities[entity], small), bundle.entities[entity]
            ),
            small=small,
        )
        for entity, frames in sorted(feeds_by_entity.items())
    }

    long: dict[tuple[str, int], dict[str, str]] = {}
    metric_frames = [source_metric_rows(frame, bundle.sources[name]) for name, frame in validated.items()]
    metric_frames += [entity_metric_rows(frame, bundle.entities[entity]) for entity, frame in ranked.items()]
    multi_files = [
        entry["index"]
        for name in validated
        if len(bundle.sources[name].feeds) > 1
        for entry in readable[name]
    ]
    if multi_files:
        statuses = union_all(row_status(frame) for frame in ranked.values())
        in_files = ", ".join(str(index) for index in multi_files)
        metric_frames.append(multi_feed_row_rows(statuses.filter(f"_file_idx IN ({in_files})")))
    timings = {"plan": round(time.perf_counter() - clock, 3)}
    if metric_frames:
        long = collect_long(union_all(metric_frames))
    timings["metrics_pass"] = round(time.perf_counter() - clock - timings["plan"], 3)
    sources_out, entities_out, failures = assemble(long, bundle, files, entity_sources)

    metrics: dict[str, Any] = {
        "run_id": manifest.run_id,
        "bundle_checksum": bundle.checksum,
        "started_at": started_at,
        "finished_at": None,
        "seconds": None,
        "ingested_at": manifest.started_at,
        "spark": {"version": spark.version, "shuffle_partitions": partitions},
        "inputs": len(files),
        "rejected_files": [
            {"uri": entry["uri"], "source": entry["source"], "error": entry["error"]}
            for entry in files
            if entry["error"]
        ],
        "sources": sources_out,
        "entities": entities_out,
        "conservation": {"holds": not failures, "failures": failures},
        "timings": timings,
    }
    try:
        if failures:
            raise ConservationError("conservation law broken: " + "; ".join(failures[:5]))
        mark = time.perf_counter()
        _write_outputs(spark, manifest, bundle, validated, ranked, metrics, rows_per_file)
        timings["writes"] = round(time.perf_counter() - mark, 3)
    except ConservationError as error:
        _finish(metrics, clock)
        error.metrics = metrics  # type: ignore[attr-defined]
        raise
    finally:
        for frame in kept_frames + list(ranked.values()):
            release(frame)
    _finish(metrics, clock)
    return metrics


def _finish(metrics: dict[str, Any], clock: float) -> None:
    metrics["finished_at"] = _iso_now()
    metrics["seconds"] = round(time.perf_counter() - clock, 3)


_WRITERS: list[ThreadPoolExecutor] = []


def _writer_pool() -> ThreadPoolExecutor:
    """One pool for the process: a warm session keeps its py4j connections (one per thread)."""
    if not _WRITERS:
        _WRITERS.append(ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix="pipeline-write"))
    return _WRITERS[0]


def _write_outputs(
    spark: SparkSession,
    manifest: Manifest,
    bundle: Bundle,
    validated: dict[str, DataFrame],
    ranked: dict[str, DataFrame],
    metrics: dict[str, Any],
    rows_per_file: int,
) -> None:
    """Writes curated and quarantine folders concurrently; checks the rows written match the counts."""
    fs.no_checksum_files(spark, manifest.curated_uri)
    fs.no_checksum_files(spark, manifest.quarantine_uri)
    tasks: list[tuple[str, DataFrame, int, int]] = []  # (uri, frame, files, expected rows)
    for entity, frame in ranked.items():
        uri = manifest.curated_output(entity)
        rows = metrics["entities"][entity]["rows_curated"]
        metrics["entities"][entity]["uri"] = uri if rows else None
        if rows:
            tasks.append(
                (uri, curated_rows(frame, bundle.entities[entity]), math.ceil(rows / rows_per_file), rows)
            )
        else:
            fs.delete(spark, uri)
    for name, frame in validated.items():
        uri = manifest.quarantine_output(name)
        rows = metrics["sources"][name]["rows_quarantined"]
        metrics["sources"][name]["quarantine_uri"] = uri if rows else None
        if rows:
            tasks.append(
                (uri, quarantine_rows(frame, bundle.sources[name]), math.ceil(rows / rows_per_file), rows)
            )
        else:
            fs.delete(spark, uri)
    if not tasks:
        return
    written = list(_writer_pool().map(lambda task: _write_parquet(task[1], task[0], task[2]), tasks))
    wrong = [
        f"{uri}: wrote {count} rows, counted {expected}"
        for (uri, _, _, expected), count in zip(tasks, written)
        if count != expected
    ]
    if wrong:
        metrics["conservation"] = {"holds": False, "failures": wrong}
        raise ConservationError("rows written differ from rows counted: " + "; ".join(wrong))


_BUNDLES: dict[str, Bundle] = {}


def load_bundle(spark: SparkSession, uri: str) -> Bundle:
    """Reads and parses the contract bundle (parsed bundles are kept by content in a warm session)."""
    text = fs.read_text(spark, uri)
    bundle = _BUNDLES.get(text)
    if bundle is None:
        bundle = parse_bundle(text)
        _BUNDLES.clear()
        _BUNDLES[text] = bundle
    return bundle


def execute(spark: SparkSession, manifest_uri: str) -> tuple[str, dict[str, Any]]:
    """Runs the job for one manifest URI and writes the metrics JSON; returns (metrics_uri, metrics).

    >>> execute(spark, "file:///.../manifests/run-1.json")[0]
    'file:///.../metrics/run-1.json'
    """
    manifest = parse_manifest(fs.read_text(spark, manifest_uri))
    bundle = load_bundle(spark, manifest.contracts_uri)
    try:
        metrics = run_job(spark, manifest, bundle)
    except ConservationError as error:
        partial: Optional[dict[str, Any]] = getattr(error, "metrics", None)
        if partial is not None:
            fs.write_bytes(spark, manifest.metrics_uri, _metrics_json(partial))
        raise
    fs.write_bytes(spark, manifest.metrics_uri, _metrics_json(metrics))
    return manifest.metrics_uri, metrics


def _metrics_json(metrics: dict[str, Any]) -> bytes:
    return (json.dumps(metrics, indent=2) + "\n").encode("utf-8")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """spark-submit entry point: ``job.py --manifest <uri>``."""
    parser = argparse.ArgumentParser(prog="job.py", description=__doc__)
    parser.add_argument("--manifest", required=True, help="URI of the run manifest (s3:// or file://)")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    spark = SparkSession.builder.appName("pipeline-spark").getOrCreate()
    try:
        metrics_uri, metrics = execute(spark, args.manifest)
        log.info(
            json.dumps(
                {"run_id": metrics["run_id"], "metrics_uri": metrics_uri, "seconds": metrics["seconds"]}
            )
        )
    except Exception as error:
        # Whatever failed (our errors, Spark's AnalysisException, a py4j error): one JSON line naming the
        # exception class (the local runner reads it) and the error document beside the metrics (EMR).
        report = describe(error)
        log.error(json.dumps(report))
        write_error_document(spark, args.manifest, report)
        if isinstance(error, PipelineError):
            return 1  # a failure the job detected: the report says it all, no traceback needed
        raise
    finally:
        try:
            spark.stop()
        except Exception:  # a session whose JVM is gone cannot be stopped cleanly
            log.exception("stopping the Spark session failed")
    return 0
