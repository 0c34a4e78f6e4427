/**
 * One generator benchmark measurement, in a process of its own so that its peak RSS is its own.
 * Usage: tsx bench/generator/one-size.ts <stream|memory> <orders> <days>. Prints one JSON line.
 * stream: `generateToDirectory` into a temporary folder (deleted afterwards, outside the timing), as the CLI does.
 * memory: `generateDataset` (files serialised in memory, nothing written), the in-memory API.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDataset, generateToDirectory, type Truth } from "../../src/generator/index.js";

const [mode = "stream", ordersText = "100000", daysText = "30"] = process.argv.slice(2);
const orders = Number(ordersText);
const days = Number(daysText);
const options = { orders, days, seed: 1, expectedRows: false };

const measure = async (): Promise<{ truth: Truth; files: number; bytes: number; seconds: number }> => {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  if (mode === "memory") {
    const dataset = generateDataset(options);
    const bytes = dataset.files.reduce((sum, file) => sum + file.content.length, 0);
    return { truth: dataset.truth, files: dataset.files.length, bytes, seconds: elapsed() };
  }
  const outDir = await mkdtemp(join(tmpdir(), "bench-generator-"));
  try {
    return { ...(await generateToDirectory(options, outDir)), seconds: elapsed() };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
};

const { truth, files, bytes, seconds } = await measure();
const rows = truth.totals.rows_read;
process.stdout.write(
  `${JSON.stringify({
    mode,
    orders,
    days,
    order_items: truth.entities.order_items,
    files,
    rows,
    megabytes: Number((bytes / 1e6).toFixed(1)),
    seconds: Number(seconds.toFixed(2)),
    rows_per_second: Math.round(rows / seconds),
    // maxRSS is in kilobytes: the process's peak resident set, startup included.
    peak_rss_megabytes: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6),
  })}\n`,
);
