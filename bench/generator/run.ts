/**
 * Generator benchmark: wall time, rows/s, peak RSS and output size at a few sizes, written to
 * bench/results/generator.json. Each size runs in a child process of its own (default Node heap, no
 * flags), one after another, with the machine's load average before and after.
 * Usage: tsx bench/generator/run.ts [mode:orders ...] (mode: stream | memory), default
 * memory:10000 memory:100000 stream:10000 stream:100000 stream:3900000 (3.9M orders is ~5M items).
 */
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";

const DAYS = 30;
const DEFAULT_RUNS = ["memory:10000", "memory:100000", "stream:10000", "stream:100000", "stream:3900000"];
const oneSize = fileURLToPath(new URL("./one-size.ts", import.meta.url));
const load = (): number[] => loadavg().map((value) => Number(value.toFixed(2)));

const runs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_RUNS;
const results = [];
for (const run of runs) {
  const [mode = "stream", orders = "100000"] = run.split(":");
  const loadBefore = load();
  const output = execFileSync(process.execPath, ["--import", "tsx", oneSize, mode, orders, String(DAYS)], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
    maxBuffer: 1 << 20,
  });
  const result = { ...JSON.parse(output), loadavg_before: loadBefore, loadavg_after: load() };
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
const report = {
  recorded_at: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "unknown",
    memory_gb: Math.round(totalmem() / 1e9),
    node: process.version,
  },
  note:
    `${DAYS} days; seed 1; no expected rows. memory = generateDataset (everything in memory, nothing written); ` +
    "stream = generateToDirectory (day by day to a temporary folder on disk, as the CLI does). " +
    "Each run is its own process with the default heap; peak_rss_megabytes is that process's peak. " +
    "The machine (2 cores) was shared with other work (Spark profiling): see loadavg_before/after (1, 5, 15 min).",
  results,
};
await writeFile("bench/results/generator.json", `${JSON.stringify(report, null, 2)}\n`);
