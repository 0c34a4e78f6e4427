/**
 * Warehouse benchmark: the DuckDB warehouse alone (no Spark), fed the generator's exact curated rows as Parquet,
 * one run per day: auto-copy ingestion, merge and post-load checks per run, then the star schema compared with
 * the generator's truth. Reports seconds per phase and per run; writes bench/results/warehouse.json.
 *
 * Usage: tsx bench/warehouse/run.ts [--orders 20000] [--days 30] [--seed 1] [--threads 1]
 */
import { rm, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { generateDataset, writeDataset } from "../../src/generator/index.js";
import { curatedRuns, publish } from "../../test/warehouse/support/curated-runs.js";
import { LOCAL_SETTINGS, SQL_ROOT, tempDir } from "../../test/warehouse/support/warehouse.js";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "20000" },
    days: { type: "string", default: "30" },
    seed: { type: "string", default: "1" },
    threads: { type: "string", default: "1" },
  },
});
const round = (n: number, digits = 3) => Number(n.toFixed(digits));
const seconds = (from: number) => (performance.now() - from) / 1000;

const dir = await tempDir("bench");
try {
  const dataset = generateDataset({
    orders: Number(values.orders),
    days: Number(values.days),
    seed: Number(values.seed),
  });
  await writeDataset(dataset, dir);
  const runs = await curatedRuns(dir, join(dir, "parquet"));
  const loadDir = join(dir, "load");
  const warehouse = await DuckDbWarehouse.open({
    path: join(dir, "warehouse.duckdb"),
    sqlRoot: SQL_ROOT,
    buckets: { load: loadDir },
    threads: Number(values.threads),
  });
  let started = performance.now();
  await warehouse.migrate(LOCAL_SETTINGS);
  const migrate = seconds(started);
  const phases = { ingest: 0, merge: 0, checks: 0 };
  const perRun: number[] = [];
  let rows = 0;
  for (const run of runs) {
    const runStarted = performance.now();
    await publish(run, loadDir);
    started = performance.now();
    const ingested = await warehouse.ingestNewFiles();
    phases.ingest += seconds(started);
    rows += ingested.reduce((sum, file) => sum + file.rows, 0);
    started = performance.now();
    await warehouse.merge(run.runId, run.objects);
    phases.merge += seconds(started);
    started = performance.now();
    await warehouse.runChecks(run.runId, { entities: {} });
    phases.checks += seconds(started);
    perRun.push(seconds(runStarted));
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${run.day} ${perRun.at(-1)?.toFixed(2)}s\n`);
  }
  const count = async (table: string) =>
    Number((await warehouse.query(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
  const star = {
    dim_customer: await count("star.dim_customer"),
    dim_product: await count("star.dim_product"),
    dim_seller: await count("star.dim_seller"),
    fact_sales: await count("star.fact_sales"),
    fact_orders: await count("star.fact_orders"),
    fact_payments: await count("star.fact_payments"),
  };
  const { unknown_members: _unknown, ...truthStar } = dataset.truth.star;
  const matches = JSON.stringify(star) === JSON.stringify(truthStar);
  await warehouse.close();
  const sorted = [...perRun].sort((a, b) => a - b);
  const result = {
    when: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    input: {
      orders: Number(values.orders),
      days: runs.length,
      curated_rows: rows,
      threads: Number(values.threads),
    },
    seconds: {
      migrate: round(migrate),
      ingest: round(phases.ingest),
      merge: round(phases.merge),
      checks: round(phases.checks),
      per_run_median: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      per_run_max: round(sorted.at(-1) ?? 0),
      merge_per_run: round(phases.merge / runs.length),
    },
    rows_per_second: Math.round(rows / (phases.ingest + phases.merge)),
    star,
    star_matches_truth: matches,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  await writeFile(
    join(process.cwd(), "bench/results/warehouse.json"),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  if (!matches) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
