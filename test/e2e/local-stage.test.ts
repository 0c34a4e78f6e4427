import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalSparkRunner } from "../../src/adapters/local/local-spark-runner.js";
import { type GeneratedDataset, generateDataset } from "../../src/generator/index.js";
import { LocalStage } from "../../src/local/stage.js";
import { starSnapshot, starTables } from "../../src/local/star-summary.js";
import { compareWithTruth, expectedStarOf } from "../../src/local/truth-check.js";
import type { Row } from "../../src/ports/warehouse.js";
import { useTempDir } from "../support/temp.js";

/**
 * The local stage end to end, with the real Spark job and the real DuckDB warehouse: generated files
 * dropped into the raw bucket become the star schema the generator's truth expects. Lean on purpose
 * (a few hundred orders over three days, one warm Spark process shared by both stages).
 */
const PROJECT = process.cwd();
const tempDir = useTempDir();
const root = join(PROJECT, ".venv");
let spark: LocalSparkRunner;
let dataset: GeneratedDataset;
const days = (): string[] => [...new Set(dataset.files.map((f) => f.batchDate))].sort();

const open = async (dir: string): Promise<LocalStage> =>
  LocalStage.open({ projectRoot: PROJECT, stage: "e2e", root: dir, spark, print: () => undefined });

const dropDay = async (stage: LocalStage, day: string): Promise<void> => {
  for (const file of dataset.files.filter((f) => f.batchDate === day))
    await stage.put(file.key, file.content);
  await stage.settle();
};

const statuses = async (stage: LocalStage) =>
  (await stage.workflow.list(100)).map((e) => [e.name, e.status, e.error ?? ""]).sort();

let forwardTables: Record<string, Row[]>;

beforeAll(async () => {
  dataset = generateDataset({ orders: 300, days: 3, seed: 11, expectedRows: false });
  spark = new LocalSparkRunner({
    python: join(root, "bin", "python"),
    sparkSrc: join(PROJECT, "spark", "src"),
    jobScript: join(PROJECT, "spark", "job.py"),
    mode: "warm",
    logFile: join(await tempDir(), "spark.log"),
  });
});
afterAll(async () => {
  await spark?.close();
});

describe("the local stage, end to end", () => {
  it("drops the days in order: the star schema equals the expected truth, the gate stops what it should, re-dropping changes nothing", {
    timeout: 900_000,
  }, async () => {
    const stage = await open(await tempDir());
    try {
      for (const day of days()) await dropDay(stage, day);
      const runs = await statuses(stage);
      expect(runs.map(([, status]) => status)).toEqual(days().map(() => "SUCCEEDED"));

      const snapshot = await starSnapshot(stage.warehouse);
      expect(snapshot).toEqual(expectedStarOf(dataset.truth));
      expect(compareWithTruth(snapshot, dataset.truth).differences).toEqual([]);
      // Each day is one run, as the truth assumes: quarantined rows per reason add up exactly.
      const byReason: Record<string, number> = {};
      for (const execution of await stage.workflow.list(100)) {
        const record = JSON.parse(
          new TextDecoder().decode(
            await stage.store.get({ bucket: "curated", key: `runs/${execution.name}.json` }),
          ),
        );
        for (const [reason, n] of Object.entries(
          record.rows.quarantined_by_reason as Record<string, number>,
        )) {
          if (n > 0) byReason[reason] = (byReason[reason] ?? 0) + n;
        }
      }
      expect(byReason).toEqual(dataset.truth.quarantine.by_reason);
      // The local run record: states with timings, rows per step, the DQ verdict.
      const [first] = runs;
      const local = JSON.parse(await readFile(join(stage.paths.runs, `${first?.[0]}.json`), "utf8"));
      expect(local.visits.map((v: { name: string }) => v.name)).toContain("Merge");
      expect(local.visits.every((v: { seconds: number }) => typeof v.seconds === "number")).toBe(true);
      expect(local.record.rows.read).toBeGreaterThan(0);
      expect(["pass", "warn"]).toContain(local.record.quality_verdict);
      forwardTables = await starTables(stage.warehouse);

      // The quality gate, for real (this seed has a source-day over max_reject_rate): the source-days the truth says max_reject_rate stops are exactly
      // those the runs stopped, and their curated output is held in quarantine.
      const stopped: string[] = [];
      for (const execution of await stage.workflow.list(100)) {
        const record = JSON.parse(
          new TextDecoder().decode(
            await stage.store.get({ bucket: "curated", key: `runs/${execution.name}.json` }),
          ),
        );
        for (const [source, verdict] of Object.entries(record.source_verdicts as Record<string, string>)) {
          if (verdict === "fail") stopped.push(`${execution.name.slice(4, 12)} ${source}`);
        }
      }
      expect(dataset.truth.gated.length).toBeGreaterThan(0);
      expect(stopped.sort()).toEqual(
        dataset.truth.gated.map((g) => `${g.batch_date.replaceAll("-", "")} ${g.source}`).sort(),
      );
      // The same, queried from the warehouse: one ops.runs row per run, and the failed rules in ops.dq_results.
      const opsRuns = await stage.warehouse.query(
        "SELECT run_id, status, rows_read FROM ops.runs ORDER BY run_id",
      );
      expect(opsRuns.map((r) => r.run_id)).toEqual(runs.map(([name]) => name));
      expect(
        opsRuns.every((r) => ["succeeded", "partial"].includes(String(r.status)) && Number(r.rows_read) > 0),
      ).toBe(true);
      const failedRules = await stage.warehouse.query(
        `SELECT DISTINCT run_id, source_name FROM ops.dq_results
         WHERE status = 'fail' AND severity = 'error' ORDER BY run_id, source_name`,
      );
      expect(failedRules.map((r) => `${String(r.run_id).slice(4, 12)} ${r.source_name}`).sort()).toEqual(
        stopped.sort(),
      );

      // Re-dropping every file, day by day: same keys and ETags, same run ids: duplicates, nothing runs.
      const before = await statuses(stage);
      for (const day of days()) await dropDay(stage, day);
      expect(await statuses(stage)).toEqual(before);
      expect(await starTables(stage.warehouse)).toEqual(forwardTables);
    } finally {
      await stage.close();
    }
  });

  it("drops every day at once as ONE run and gets the truth of one run per day (history does not depend on batching)", {
    timeout: 900_000,
  }, async () => {
    // A seed whose days pass the quality gate (a gate decides per run, so gated source-days would differ).
    const ungated = generateDataset({ orders: 300, days: 3, seed: 7, expectedRows: false });
    expect(ungated.truth.gated).toEqual([]);
    const stage = await open(await tempDir());
    try {
      for (const file of ungated.files) await stage.put(file.key, file.content);
      await stage.settle();
      const runs = await statuses(stage);
      expect(runs.map(([, status]) => status)).toEqual(["SUCCEEDED"]);
      const snapshot = await starSnapshot(stage.warehouse);
      expect(compareWithTruth(snapshot, ungated.truth).differences).toEqual([]);
      expect(snapshot).toEqual(expectedStarOf(ungated.truth));
    } finally {
      await stage.close();
    }
  });

  it("drops the days in reverse order and gets the same tables", { timeout: 900_000 }, async () => {
    expect(forwardTables).toBeDefined();
    const stage = await open(await tempDir());
    try {
      for (const day of [...days()].reverse()) await dropDay(stage, day);
      expect((await statuses(stage)).every(([, status]) => status === "SUCCEEDED")).toBe(true);
      expect(await starTables(stage.warehouse)).toEqual(forwardTables);
    } finally {
      await stage.close();
    }
  });
});
