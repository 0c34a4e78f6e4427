import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import type { ExpectedLoad } from "../../src/ports/warehouse.js";
import { loadProgress } from "../../src/warehouse/load-progress.js";
import { publish } from "./support/curated-runs.js";
import { cents, expectedRows, type GeneratedRuns, generatedRuns, money } from "./support/generated.js";
import { starSnapshot } from "./support/star.js";
import { LOCAL_SETTINGS, openWarehouse, tempDir } from "./support/warehouse.js";

let data: GeneratedRuns;
beforeAll(async () => {
  data = await generatedRuns({ orders: 150, days: 3, seed: 11 });
});

/** What the run's metrics would say: rows and money sums per entity, from the expected curated rows. */
/** What the run published (a source the quality gate stopped is not expected in the warehouse). */
const expectedLoad = async (run: {
  day: string;
  files: ReadonlyMap<string, string>;
}): Promise<ExpectedLoad> => {
  const entities: Record<string, { rows_curated: number; sums: Record<string, string> }> = {};
  const sumColumns: Record<string, string[]> = {
    order_items: ["unit_price", "freight_value"],
    payments: ["payment_value"],
  };
  for (const entity of run.files.keys()) {
    const rows = await expectedRows(data.dir, entity, run.day);
    if (rows.length === 0) continue;
    const sums: Record<string, string> = {};
    for (const column of sumColumns[entity] ?? []) {
      sums[column] = money(rows.reduce((sum, row) => sum + cents(row[column]), 0n));
    }
    entities[entity] = { rows_curated: rows.length, sums };
  }
  return { entities };
};

describe("DuckDbWarehouse auto-copy emulation", () => {
  let warehouse: DuckDbWarehouse;
  let loadDir: string;
  beforeAll(async () => {
    loadDir = await tempDir("load");
    warehouse = await openWarehouse(loadDir, { ingestOnLoadHistory: false });
    await warehouse.migrate(LOCAL_SETTINGS);
  });
  afterAll(() => warehouse.close());

  it("loads each published file once, into its staging table, and answers the load-history question", async () => {
    const run = data.runs[0];
    if (!run) throw new Error("no run");
    const keys = await publish(run, loadDir);
    expect(loadProgress(await warehouse.loadHistory(run.runId), keys)).toMatchObject({
      complete: false,
      missing: keys,
    });

    const ingested = await warehouse.ingestNewFiles();
    const rowsByEntity: Record<string, number> = {};
    for (const entity of run.files.keys())
      rowsByEntity[entity] = (await expectedRows(data.dir, entity, run.day)).length;
    expect(ingested).toEqual(
      keys.map((key) => {
        const entity = key.split("/")[0] as string;
        return { jobName: `staging_${entity}`, bucket: "load", key, status: "I", rows: rowsByEntity[entity] };
      }),
    );
    expect(await warehouse.ingestNewFiles()).toEqual([]);

    const history = await warehouse.loadHistory(run.runId);
    expect(history.files.map(({ key, status, rows, entity }) => ({ key, status, rows, entity }))).toEqual(
      keys.map((key) => {
        const entity = key.split("/")[0] as string;
        return { key, status: "loaded", rows: rowsByEntity[entity], entity };
      }),
    );
    expect(loadProgress(history, keys)).toEqual({
      complete: true,
      loaded: keys,
      pending: [],
      failed: [],
      missing: [],
    });
    for (const [entity, rows] of Object.entries(rowsByEntity)) {
      expect(await warehouse.query(`SELECT count(*) AS n FROM staging.${entity}`), entity).toEqual([
        { n: rows },
      ]);
    }
  });

  it("marks a file that cannot load as failed and never retries it (as auto-copy does)", async () => {
    const key = "orders/run-broken/part-0.parquet";
    await mkdir(join(loadDir, "orders", "run-broken"), { recursive: true });
    await writeFile(join(loadDir, key), "not parquet");
    await writeFile(join(loadDir, "orders", "run-broken", "_SUCCESS"), "");
    const ingested = await warehouse.ingestNewFiles();
    expect(ingested.map(({ key: k, status, rows }) => ({ key: k, status, rows }))).toEqual([
      { key: "orders/run-broken/_SUCCESS", status: "E", rows: 0 },
      { key, status: "E", rows: 0 },
    ]);
    expect(await warehouse.ingestNewFiles()).toEqual([]);
    const progress = loadProgress(await warehouse.loadHistory("run-broken"), [key]);
    expect(progress.complete).toBe(false);
    expect(progress.failed.map((file) => [file.key, file.status])).toEqual([[key, "failed"]]);
    expect(await warehouse.query("SELECT count(*) AS n FROM main.sys_load_error_detail")).toEqual([{ n: 2 }]);
  });
});

describe("DuckDbWarehouse merge and checks", () => {
  let warehouse: DuckDbWarehouse;
  let loadDir: string;
  beforeAll(async () => {
    loadDir = await tempDir("load");
    warehouse = await openWarehouse(loadDir);
    await warehouse.migrate(LOCAL_SETTINGS);
    for (const run of data.runs) {
      await publish(run, loadDir);
      await warehouse.loadHistory(run.runId);
      await warehouse.merge(run.runId, run.objects);
    }
  });
  afterAll(() => warehouse.close());

  it("clears a run's staging rows after its merge and audits what it loaded per source file", async () => {
    for (const table of ["customers", "products", "orders", "order_items", "payments", "merge_scope"]) {
      expect(await warehouse.query(`SELECT count(*) AS n FROM staging.${table}`), table).toEqual([{ n: 0 }]);
    }
    const run = data.runs[1];
    if (!run) throw new Error("no run");
    const audit = await warehouse.query(
      "SELECT entity_name, source_file, rows_loaded FROM ops.load_audit WHERE run_id = :run_id ORDER BY ALL",
      { run_id: run.runId },
    );
    const expected = [];
    for (const entity of run.files.keys()) {
      const rows = await expectedRows(data.dir, entity, run.day);
      const byFile = new Map<string, number>();
      for (const row of rows)
        byFile.set(String(row._source_file), (byFile.get(String(row._source_file)) ?? 0) + 1);
      for (const [file, count] of byFile)
        expected.push({ entity_name: entity, source_file: file, rows_loaded: count });
    }
    expected.sort((a, b) => (a.entity_name + a.source_file < b.entity_name + b.source_file ? -1 : 1));
    expect(audit).toEqual(expected);
  });

  it("is idempotent: merging a run again changes no star table", async () => {
    const before = await starSnapshot(warehouse);
    const run = data.runs[0];
    if (!run) throw new Error("no run");
    const report = await warehouse.merge(run.runId, run.objects);
    expect(report.statements).toBe(40);
    expect(await starSnapshot(warehouse)).toEqual(before);
  });

  it("reconciles the run's loaded rows and sums with its metrics, and fails on a difference", async () => {
    const run = data.runs[2];
    if (!run) throw new Error("no run");
    const expected = await expectedLoad(run);
    const report = await warehouse.runChecks(run.runId, expected);
    const reconciliation = report.results.filter((result) => result.check === "reconciliation");
    expect(reconciliation.length).toBeGreaterThan(Object.keys(expected.entities).length);
    expect(reconciliation.filter((result) => result.status !== "pass")).toEqual([]);
    expect(report.results.filter((r) => r.check !== "reconciliation" && r.status === "fail")).toEqual([]);

    const payments = expected.entities.payments;
    if (!payments?.sums?.payment_value) throw new Error("no payments that day");
    const wrong: ExpectedLoad = {
      entities: {
        ...expected.entities,
        payments: { rows_curated: payments.rows_curated + 1, sums: { payment_value: "0.01" } },
      },
    };
    const failing = await warehouse.runChecks(run.runId, wrong);
    expect(failing.status).toBe("fail");
    expect(failing.results.filter((result) => result.status === "fail")).toEqual([
      {
        check: "reconciliation",
        subject: "payments.rows",
        status: "fail",
        observed: String(payments.rows_curated),
        expected: String(payments.rows_curated + 1),
      },
      {
        check: "reconciliation",
        subject: "payments.sum(payment_value)",
        status: "fail",
        observed: payments.sums.payment_value,
        expected: "0.01",
      },
    ]);
  });
});
