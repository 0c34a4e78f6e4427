"""One csv file well over the old 1 GiB cap through the job's read path (make bench-spark-big-file).

Writes a single order_items csv of ``--gib`` GiB (default 2.1), then, on one local session:
- floor: Spark's text source counting the file's lines (the least any reader of it costs here);
- read path: ``scan_text_sources`` + ``read_text_source`` (the job's own code) producing every record with
  its values, physical line number and malformed flag, counted by an aggregate.
A few malformed lines at known positions check that line numbers stay exact across the file's splits.

    python bench/spark/big_file.py [--gib 2.1] [--keep] [--out bench/results]

Results: bench/results/spark-big-file.json and .md. Not the whole job: validation, dedup and the writes are
measured by bench/spark/run.py.

    python bench/spark/big_file.py --whole-job [--gib 2.1]

runs the whole job (``run_job``: read, validate, deduplicate, metrics, curated and quarantine Parquet) on such a
file instead, as the only input of a run, and records rows, outputs, conservation and time in
bench/results/spark-big-file-job.json and .md.
"""

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "spark" / "src"))

HEADER = "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value\n"
BAD_EVERY = 1_000_003  # a line with a field too few, at known line numbers


def write_file(path: Path, gib: float) -> tuple[int, list[int]]:
    """Writes the file; returns (lines after the header, line numbers of the malformed records)."""
    target = int(gib * 2**30)
    bad_lines = []
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        written = len(HEADER)
        block = []
        while written < target:
            lines += 1
            number = lines + 1  # physical line (the header is line 1)
            if lines % BAD_EVERY == 0:
                text = f"o{lines:012d},1,p{lines % 9973:06d},s{lines % 331:04d},2017-01-09 10:00:00,12.50\n"
                bad_lines.append(number)
            else:
                price = f"{lines % 50000 / 100:.2f}"
                text = (
                    f"o{lines:012d},{lines % 4 + 1},p{lines % 9973:06d},s{lines % 331:04d},"
                    f'"2017-01-{lines % 28 + 1:02d} 10:00:00",{price},{lines % 700 / 100:.2f}\n'
                )
            block.append(text)
            written += len(text)
            if len(block) == 50_000:
                out.write("".join(block))
                block = []
        out.write("".join(block))
    return lines, bad_lines


def whole_job(args: argparse.Namespace) -> int:
    """The whole job with the big file as the run's only input."""
    os.environ.setdefault("PIPELINE_SPARK_DRIVER_MEMORY", "6g")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import jvm_cpu_seconds, manifest_for

    from pipeline_spark.contracts import parse_bundle
    from pipeline_spark.job import run_job
    from pipeline_spark.manifest import parse_manifest
    from pipeline_spark.session import local_session

    work = Path(tempfile.mkdtemp(prefix="bench-big-job-"))
    folder = work / "raw" / "order_items" / "dt=2017-01-09"
    folder.mkdir(parents=True)
    path = folder / "order_items.csv"
    lines, bad_lines = write_file(path, args.gib)
    size = path.stat().st_size
    spark = local_session()
    bundle = parse_bundle((REPO / ".build" / "contracts.bundle.json").read_text())
    document = manifest_for(work, "big-file", "2017-01-09")
    load_start = os.getloadavg()
    cpu = jvm_cpu_seconds(spark)
    started = time.perf_counter()
    metrics = run_job(spark, parse_manifest(json.dumps(document)), bundle)
    seconds = time.perf_counter() - started
    cpu = jvm_cpu_seconds(spark) - cpu
    spark.stop()
    source = metrics["sources"]["order_items"]
    outputs = sorted((work / "out" / "big-file").rglob("*.parquet"))
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_start": load_start,
        },
        "file": {"bytes": size, "gib": round(size / 2**30, 3), "records": lines},
        "seconds": round(seconds, 1),
        "jvm_cpu_seconds": round(cpu, 1),
        "rows_per_second": round(lines / seconds),
        "rows_read": source["rows_read"],
        "rows_curated": source["rows_curated"],
        "quarantined_by_reason": {k: v for k, v in source["quarantined_by_reason"].items() if v},
        "exact_duplicates": source["exact_duplicates"],
        "superseded": source["superseded"],
        "conservation_holds": metrics["conservation"]["holds"],
        "parquet_files": len(outputs),
        "parquet_bytes": sum(output.stat().st_size for output in outputs),
        "timings": metrics["timings"],
        "load_avg_end": os.getloadavg(),
    }
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    assert result["rows_read"] == lines, "every record is read"
    assert result["quarantined_by_reason"].get("malformed_row", 0) == len(bad_lines), "the malformed lines"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "spark-big-file-job.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "spark-big-file-job.md").write_text(
        "# The whole job on one csv file over the old 1 GiB cap (make bench-spark-big-file-job)\n\n"
        f"{result['file']['gib']} GiB, {lines:,} records of order_items, the run's only input; 2 local cores "
        f"(load average {load_start[0]:.2f} at start, {result['load_avg_end'][0]:.2f} at end).\n\n"
        f"- {result['seconds']} s wall, {result['jvm_cpu_seconds']} s driver JVM CPU, "
        f"{result['rows_per_second']:,} rows/s; phases {result['timings']}\n"
        f"- read {result['rows_read']:,}; curated {result['rows_curated']:,}; quarantined "
        f"{result['quarantined_by_reason']}; exact duplicates {result['exact_duplicates']:,}, superseded "
        f"{result['superseded']:,}; conservation holds: {result['conservation_holds']}\n"
        f"- {result['parquet_files']} Parquet files, {result['parquet_bytes'] / 2**20:.0f} MiB\n"
    )
    print(json.dumps(result, indent=2))
    return 0


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gib", type=float, default=2.1)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--out", default=str(REPO / "bench" / "results"))
    parser.add_argument("--whole-job", action="store_true", help="run the whole job on the file instead")
    args = parser.parse_args(argv)
    if args.whole_job:
        return whole_job(args)
    os.environ.setdefault("PIPELINE_SPARK_DRIVER_MEMORY", "4g")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    from pipeline_spark.contracts import parse_bundle
    from pipeline_spark.reading import TextFile, read_text_source, scan_text_sources
    from pipeline_spark.session import configure_run, local_session

    work = Path(tempfile.mkdtemp(prefix="bench-big-file-"))
    path = work / "order_items-2017-01-09.csv"
    started = time.perf_counter()
    lines, bad_lines = write_file(path, args.gib)
    write_seconds = time.perf_counter() - started
    size = path.stat().st_size

    spark = local_session()
    configure_run(spark, size)
    bundle = parse_bundle((REPO / ".build" / "contracts.bundle.json").read_text())
    source = bundle.sources["order_items"]
    uri = path.as_uri()
    load_start = os.getloadavg()

    started = time.perf_counter()
    floor_lines = spark.read.option("lineSep", "\n").text(uri).count()
    floor_seconds = time.perf_counter() - started

    started = time.perf_counter()
    scans = scan_text_sources(spark, {"order_items": (source, [TextFile(0, uri, "csv", False)])})
    scan_seconds = time.perf_counter() - started
    frames = read_text_source(spark, scans["order_items"])
    records = frames[1]
    summary = records.selectExpr(
        "count(1) AS records",
        "count(_malformed) AS malformed",
        "sort_array(collect_list(CASE WHEN _malformed IS NOT NULL THEN _source_line END)) AS malformed_lines",
        "max(_source_line) AS last_line",
        "sum(CAST(_values[5] AS decimal(12,2))) AS price_sum",
    ).collect()[0]
    read_seconds = time.perf_counter() - started
    splits = len(scans["order_items"].layouts[0].blocks)
    spark.stop()
    if not args.keep:
        path.unlink()
        work.rmdir()

    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_start": load_start,
        },
        "file": {
            "bytes": size,
            "gib": round(size / 2**30, 3),
            "records": lines,
            "write_seconds": round(write_seconds, 1),
        },
        "floor_count_lines_seconds": round(floor_seconds, 2),
        "read_path_seconds": round(read_seconds, 2),
        "of_which_scan_seconds": round(scan_seconds, 2),
        "ratio_to_floor": round(read_seconds / floor_seconds, 2),
        "splits": splits,
        "records_read": summary["records"],
        "malformed": summary["malformed"],
        "malformed_lines_exact": list(summary["malformed_lines"]) == bad_lines,
        "last_line": summary["last_line"],
        "lines_in_file": floor_lines,
        "load_avg_end": os.getloadavg(),
    }
    assert summary["records"] == lines, "every record is read"
    assert result["malformed_lines_exact"], "line numbers are exact across splits"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "spark-big-file.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "spark-big-file.md").write_text(
        "# One csv file over the old 1 GiB cap (make bench-spark-big-file)\n\n"
        f"{result['file']['gib']} GiB, {lines:,} records, one file, {splits} splits, "
        f"2 local cores (load average {load_start[0]:.2f} at start, {result['load_avg_end'][0]:.2f} at end).\n\n"
        "| what | seconds |\n|---|---:|\n"
        f"| floor: Spark's text source counting the lines | {result['floor_count_lines_seconds']} |\n"
        f"| the job's read path (scan + records with values, line numbers, malformed flags) | "
        f"{result['read_path_seconds']} (scan {result['of_which_scan_seconds']}) |\n\n"
        f"Ratio to the floor: {result['ratio_to_floor']}x. Malformed records: {summary['malformed']} at exactly the "
        f"written line numbers: {result['malformed_lines_exact']}. Read path only, not the whole job.\n"
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
