"""Experiment: how fast could a warm small-day run be if Spark never planned anything per run?

A warm run spends most of its time analysing, optimising, planning and generating code for its ~25
DataFrames (bench/results/spark.md). This script bounds what reusing those plans could give: it runs
the job once on a small day with its frames cached instead of checkpointed, keeps the physical RDDs of
the metrics query and of every output write, then re-executes them several times. Before each
re-execution the caches are cleared, so the raw files are parsed, validated, deduplicated and
aggregated again, and every output folder is written again; only the per-run planning is gone.

The job does NOT work this way (the re-executed plans would read the same inputs and write the same
folders; the script swaps job internals to capture them). The figure is a floor for that design.

    python bench/spark/plan_reuse.py [--repeat 8] [--out bench/results]

Results: bench/results/spark-plan-reuse.json.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from run import REPO, generate, jvm_cpu_seconds, manifest_for, run_once

sys.path.insert(0, str(REPO / "spark" / "src"))


class Capture:
    """Swaps job internals: frames are cached (and kept), the metrics frame and the writes are recorded."""

    def __init__(self, job) -> None:
        self.job = job
        self.kept = []
        self.metrics = None
        self.writes = []
        self.saved = {}

    def __enter__(self) -> "Capture":
        job = self.job
        self.saved = {
            name: getattr(job, name) for name in ("materialize", "release", "collect_long", "_write_parquet")
        }

        def materialize(frame, small):
            cached = frame.cache()
            self.kept.append(cached)
            return cached

        def collect_long(frame):
            self.metrics = frame
            return self.saved["collect_long"](frame)

        def write_parquet(frame, uri, files):
            self.writes.append((frame.coalesce(files), uri))
            return self.saved["_write_parquet"](frame, uri, files)

        job.materialize = materialize
        job.release = lambda frame: None
        job.collect_long = collect_long
        job._write_parquet = write_parquet
        return self

    def __exit__(self, *exc) -> None:
        for name, value in self.saved.items():
            setattr(self.job, name, value)


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--small-orders", type=int, default=2000)
    parser.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = parser.parse_args(argv)

    from pyspark.sql import DataFrame

    import pipeline_spark.job as job
    from pipeline_spark.contracts import parse_bundle
    from pipeline_spark.manifest import parse_manifest
    from pipeline_spark.session import local_session

    work = Path(tempfile.mkdtemp(prefix="bench-plan-reuse-"))
    generate(work, args.small_orders, 14)  # the small day of run.py: same orders, seed and day
    days = sorted(p.name[3:] for p in (work / "raw" / "orders").iterdir())
    day = days[len(days) // 2]
    spark = local_session()
    jss = spark._jsparkSession
    normal = []
    for i in range(args.warmup + args.repeat):
        result = run_once(spark, work, f"normal-{i}", day)
        rows_read = result["rows_read"]
        if i >= args.warmup:
            normal.append(result["seconds"])

    bundle = parse_bundle((REPO / ".build" / "contracts.bundle.json").read_text())
    with Capture(job) as capture:
        job.run_job(spark, parse_manifest(json.dumps(manifest_for(work, "captured", day))), bundle)
    cache = jss.sharedState().cacheManager()
    builders = [
        cache.lookupCachedData(kept._jdf).get().cachedRepresentation().cacheBuilder() for kept in capture.kept
    ]
    spark.conf.set("spark.sql.adaptive.enabled", "false")  # re-executable RDDs, no per-run stage planning

    def physical(frame):
        return frame._jdf.queryExecution().toRdd(), frame._jdf.schema()

    metrics_rdd = physical(capture.metrics)
    write_rdds = [(physical(frame), uri) for frame, uri in capture.writes]

    def leaf(prepared):
        return DataFrame(jss.internalCreateDataFrame(prepared[0], prepared[1], False), spark)

    runs = []
    for i in range(args.warmup + args.repeat):
        for builder in builders:
            builder.clearCache(False)
        cpu = jvm_cpu_seconds(spark)
        started = time.perf_counter()
        rows = leaf(metrics_rdd).collect()
        metrics_done = time.perf_counter()
        target = f"/plan-reuse-{i}/"

        def write(item, target=target):
            leaf(item[0]).write.mode("overwrite").parquet(item[1].replace("/captured/", target))

        list(job._writer_pool().map(write, write_rdds))
        finished = time.perf_counter()
        if i >= args.warmup:
            runs.append(
                {
                    "seconds": round(finished - started, 3),
                    "metrics_pass": round(metrics_done - started, 3),
                    "writes": round(finished - metrics_done, 3),
                    "jvm_cpu_seconds": round(jvm_cpu_seconds(spark) - cpu, 2),
                    "metric_rows": len(rows),
                }
            )
    spark.stop()
    shutil.rmtree(work, ignore_errors=True)
    results = {
        "what": __doc__.split("\n\n")[0],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "day": day,
        "rows_read": rows_read,
        "outputs": len(write_rdds),
        "normal_runs_seconds": normal,
        "normal_median_seconds": statistics.median(normal),
        "plan_reuse_runs": runs,
        "plan_reuse_median_seconds": statistics.median(run["seconds"] for run in runs),
    }
    out = Path(args.out) / "spark-plan-reuse.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: results[k] for k in ("normal_median_seconds", "plan_reuse_median_seconds")}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
