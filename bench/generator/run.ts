/**
 * Generator benchmark: wall time, rows/s and output size at a few sizes, written to
 * bench/results/generator.json. Usage: tsx bench/generator/run.ts [orders...]
 * (default 10000 100000). Files are generated in memory and serialised; nothing is written to disk
 * except the results, so the figures are the generator's own cost.
 */
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { generateDataset } from "../../src/generator/index.js";

const sizes = process.argv.slice(2).map(Number).filter(Number.isFinite);
const orderCounts = sizes.length > 0 ? sizes : [10_000, 100_000];
const results = [];
for (const orders of orderCounts) {
  const started = performance.now();
  const dataset = generateDataset({ orders, days: 30, seed: 1, expectedRows: false });
  const seconds = (performance.now() - started) / 1000;
  const rows = dataset.truth.totals.rows_read;
  const result = {
    orders,
    order_items: dataset.truth.entities.order_items,
    files: dataset.files.length,
    rows,
    megabytes: Number((dataset.files.reduce((sum, file) => sum + file.content.length, 0) / 1e6).toFixed(1)),
    seconds: Number(seconds.toFixed(2)),
    rows_per_second: Math.round(rows / seconds),
    heap_megabytes: Math.round(process.memoryUsage().rss / 1e6),
  };
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
const report = {
  recorded_at: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version },
  note: "in-memory generation + truth; 30 days; seed 1; the machine was shared with other work while recording",
  results,
};
await writeFile("bench/results/generator.json", `${JSON.stringify(report, null, 2)}\n`);
