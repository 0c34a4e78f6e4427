import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSparkRunner } from "../../src/adapters/local/local-spark-runner.js";
import { startReplay } from "../../src/core/replay.js";
import { type GeneratedDataset, generateDataset } from "../../src/generator/index.js";
import { compareWithTruth, expectedStarOf } from "../../src/generator/truth-check.js";
import { LocalStage } from "../../src/local/stage.js";
import type { Row } from "../../src/ports/warehouse.js";
import { starSnapshot, starTables } from "../../src/warehouse/star-snapshot.js";
import { warmProjectSpark } from "../support/spark.js";
import { useTempDir } from "../support/temp.js";

/**
 * The local stage end to end, with the real Spark job and the real DuckDB warehouse: generated files
 * dropped into the raw bucket become the star schema the generator's truth expects. Lean on purpose
 * (a few hundred orders over three days, one warm Spark process shared by both stages).
 */
const PROJECT = process.cwd();
const tempDir = useTempDir();
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
  spark = warmProjectSpark(join(await tempDir(), "spark.log"));
});
afterAll(async () => {
  await spark?.close();
});

describe("the local stage, end to end", () => {
  it("drops the days in order: the star schema equals the expected truth, the gate stops what it should, re-dropping changes no table", {
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

      // Re-dropping every file, day by day: each PUT is a new version of its key (a new run), with the same
      // bytes, so each run replaces its files' rows with the same rows: the star does not change.
      const before = await statuses(stage);
      for (const day of days()) await dropDay(stage, day);
      const after = await statuses(stage);
      expect(after).toHaveLength(2 * before.length);
      expect(after.map(([, status]) => status)).toEqual(after.map(() => "SUCCEEDED"));
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

  it("a re-uploaded file with corrections and removed rows is exactly its new version; its old bytes put again come back; a file changed in place and replayed is its new content", {
    timeout: 900_000,
  }, async () => {
    const key = "orders/dt=2017-01-05/orders-2017-01-05.csv";
    const header =
      "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at," +
      "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date";
    const csv = (rows: readonly (readonly [string, string])[]) =>
      `${[header, ...rows.map(([id, status]) => `${id},c-${id},${status},2017-01-05 10:00:00,2017-01-05 10:05:00,,,2017-01-20 00:00:00`)].join("\n")}\n`;
    const first = csv([
      ["o1", "shipped"],
      ["o2", "shipped"],
      ["o3", "delivered"],
    ]);
    // The correction: o1 and o3 corrected, o2 gone, o4 added.
    const second = csv([
      ["o1", "delivered"],
      ["o3", "canceled"],
      ["o4", "shipped"],
    ]);
    const orders = async (stage: LocalStage) =>
      (
        await stage.warehouse.query("SELECT order_id, order_status FROM star.fact_orders ORDER BY order_id")
      ).map((row) => [row.order_id, row.order_status]);
    const stage = await open(await tempDir());
    try {
      const v1 = await stage.put(key, first);
      await stage.settle();
      expect(await orders(stage)).toEqual([
        ["o1", "shipped"],
        ["o2", "shipped"],
        ["o3", "delivered"],
      ]);
      const v2 = await stage.put(key, second);
      await stage.settle();
      expect(v2.version > v1.version).toBe(true);
      expect(await orders(stage)).toEqual([
        ["o1", "delivered"],
        ["o3", "canceled"],
        ["o4", "shipped"],
      ]);
      // The first bytes again: same ETag as the first upload, but a new version, a new run, and it wins.
      const v3 = await stage.put(key, first);
      await stage.settle();
      expect(v3.etag).toBe(v1.etag);
      expect(await orders(stage)).toEqual([
        ["o1", "shipped"],
        ["o2", "shipped"],
        ["o3", "delivered"],
      ]);
      expect((await statuses(stage)).map(([, status]) => status)).toEqual([
        "SUCCEEDED",
        "SUCCEEDED",
        "SUCCEEDED",
      ]);
      // The file changed in place (no event), then replayed: the replay reads its current bytes and wins.
      await stage.store.put({ bucket: "raw", key }, second);
      const replays = await startReplay(
        { kind: "object", key },
        { ...stage.app, tuning: stage.config.tuning },
      );
      await stage.settle();
      expect(replays).toHaveLength(1);
      expect(await orders(stage)).toEqual([
        ["o1", "delivered"],
        ["o3", "canceled"],
        ["o4", "shipped"],
      ]);
      // core holds exactly the replayed version's rows of the file.
      expect(
        await stage.warehouse.query("SELECT count(*) AS n, min(_run_id) AS run FROM core.orders"),
      ).toEqual([{ n: 3, run: replays[0] }]);
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
