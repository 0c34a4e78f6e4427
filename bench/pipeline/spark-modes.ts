/**
 * Warm vs cold Spark per run on the local stage: the same days dropped one window at a time, once
 * with a Spark process per run (cold) and once with one warm process for every run. Writes
 * bench/results/pipeline-spark-modes.{json,md}.
 *
 * Usage: tsx bench/pipeline/spark-modes.ts [--orders 400] [--days 4]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LocalSparkRunner } from "../../src/adapters/local/local-spark-runner.js";
import { viewRun } from "../../src/core/run-view.js";
import { generateDataset } from "../../src/generator/index.js";
import { LocalStage } from "../../src/local/stage.js";

const { values } = parseArgs({
  options: { orders: { type: "string", default: "400" }, days: { type: "string", default: "4" } },
});
const PROJECT = process.cwd();
const dataset = generateDataset({
  orders: Number(values.orders),
  days: Number(values.days),
  seed: 3,
  expectedRows: false,
});
const days = [...new Set(dataset.files.map((f) => f.batchDate))].sort();
const round = (n: number) => Number(n.toFixed(2));

const measure = async (mode: "warm" | "cold") => {
  const root = await mkdtemp(join(tmpdir(), `pipeline-modes-${mode}-`));
  const spark = new LocalSparkRunner({
    python: join(PROJECT, ".venv", "bin", "python"),
    sparkSrc: join(PROJECT, "spark", "src"),
    jobScript: join(PROJECT, "spark", "job.py"),
    mode,
    logFile: join(root, "spark.log"),
  });
  const started = performance.now();
  await spark.prewarm();
  const startSeconds = round((performance.now() - started) / 1000);
  const stage = await LocalStage.open({
    projectRoot: PROJECT,
    stage: "bench",
    root,
    spark,
    print: () => undefined,
  });
  const runs: { day: string; drop_to_queryable: number; transform: number; mode: string }[] = [];
  try {
    for (const day of days) {
      const t0 = performance.now();
      for (const file of dataset.files.filter((f) => f.batchDate === day))
        await stage.put(file.key, file.content);
      await stage.settle();
      const seconds = (performance.now() - t0) / 1000;
      const [latest] = await stage.workflow.list(1);
      const view = latest ? await viewRun(stage.app, latest.name) : undefined;
      const transform = view?.visits.find((v) => v.name === "Transform");
      runs.push({
        day,
        drop_to_queryable: round(seconds),
        transform: round(transform?.seconds ?? 0),
        mode: String((view?.record?.steps.transform as { Mode?: string } | null)?.Mode ?? "?"),
      });
      process.stdout.write(`${mode} ${day}: ${round(seconds)}s (Transform ${transform?.seconds}s)\n`);
    }
  } finally {
    await stage.close();
    await spark.close();
    await rm(root, { recursive: true, force: true });
  }
  const total = runs.reduce((s, r) => s + r.drop_to_queryable, 0);
  return {
    mode,
    process_start_seconds: startSeconds,
    runs,
    mean_drop_to_queryable: round(total / runs.length),
    mean_transform: round(runs.reduce((s, r) => s + r.transform, 0) / runs.length),
    total_with_start: round(total + startSeconds),
  };
};

const load = loadavg()[0];
const cold = await measure("cold");
const warm = await measure("warm");
const report = {
  recorded_at: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, load_average_at_start: round(load ?? 0) },
  dataset: {
    orders: Number(values.orders),
    days: days.length,
    files: dataset.files.length,
    rows: dataset.truth.totals.rows_read,
  },
  note: "cold: a Python+Spark process per run (python spark/job.py); warm: one process started before the first run (its start includes the job's own warm-up run) and reused. The machine (2 cores) was shared with other work.",
  cold,
  warm,
};
await writeFile("bench/results/pipeline-spark-modes.json", `${JSON.stringify(report, null, 2)}\n`);
const row = (r: typeof cold) =>
  `| ${r.mode} | ${r.process_start_seconds} | ${r.mean_transform} | ${r.mean_drop_to_queryable} | ${r.total_with_start} | ${r.runs.map((x) => x.drop_to_queryable).join(", ")} |`;
await writeFile(
  "bench/results/pipeline-spark-modes.md",
  [
    "# Warm vs cold Spark per run (local stage)",
    "",
    `Recorded ${report.recorded_at}; ${JSON.stringify(report.machine)}; dataset ${JSON.stringify(report.dataset)}.`,
    report.note,
    "",
    "| mode | start before first run (s) | mean Transform (s) | mean drop-to-queryable (s) | total incl. start (s) | per run (s) |",
    "|---|---|---|---|---|---|",
    row(cold),
    row(warm),
    "",
  ].join("\n"),
);
