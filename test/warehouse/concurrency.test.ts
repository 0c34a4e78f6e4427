import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DuckDbWarehouse, duckDbError } from "../../src/adapters/local/duckdb-warehouse.js";
import { SerializationConflictError } from "../../src/core/errors.js";
import { TransientError } from "../../src/errors.js";
import { publish } from "./support/curated-runs.js";
import { type GeneratedRuns, generatedRuns } from "./support/generated.js";
import { starSnapshot } from "./support/star.js";
import { LOCAL_SETTINGS, openWarehouse, tempDir } from "./support/warehouse.js";

/** Merges that run at the same time on one database never lose or duplicate rows (docs: ARCHITECTURE 8). */
let data: GeneratedRuns;
let baseline: Record<string, string>;

/** A migrated warehouse with every run's files loaded into staging, nothing merged yet. */
const loaded = async (path = ":memory:", loadDir?: string): Promise<DuckDbWarehouse> => {
  const dir = loadDir ?? (await tempDir("load"));
  const warehouse = await openWarehouse(dir, { path });
  await warehouse.migrate(LOCAL_SETTINGS);
  for (const run of data.runs) await publish(run, dir);
  await warehouse.ingestNewFiles();
  return warehouse;
};

/** The file versions a run loads (what Merge gets from the plan). */
const objectsOf = (runId: string | undefined) => data.runs.find((run) => run.runId === runId)?.objects ?? [];

beforeAll(async () => {
  data = await generatedRuns({ orders: 160, days: 4, seed: 5, rates: { late: 0.2, customerMove: 0.08 } });
  const warehouse = await loaded();
  for (const run of data.runs) await warehouse.merge(run.runId, run.objects);
  baseline = await starSnapshot(warehouse);
  await warehouse.close();
}, 120_000);

describe("concurrent merges on one DuckDB database", () => {
  const opened: DuckDbWarehouse[] = [];
  afterAll(async () => {
    for (const warehouse of opened) await warehouse.close();
  });

  it("every run merging at once, some twice, gives the tables of merging them one by one", async () => {
    const warehouse = await loaded();
    opened.push(warehouse);
    const runIds = data.runs.map((run) => run.runId);
    const reports = await Promise.all(
      [...runIds, ...runIds.slice(0, 2)].reverse().map((id) => warehouse.merge(id, objectsOf(id))),
    );
    expect(reports).toHaveLength(runIds.length + 2);
    expect(await starSnapshot(warehouse)).toEqual(baseline);
    expect(await warehouse.query("SELECT count(*) AS n FROM staging.orders")).toEqual([{ n: 0 }]);
  });

  it("two adapters on the same database file share one writer lock", async () => {
    const dir = await tempDir("db");
    const loadDir = await tempDir("load");
    const path = join(dir, "warehouse.duckdb");
    const first = await loaded(path, loadDir);
    const second = await openWarehouse(loadDir, { path });
    opened.push(first, second);
    const [a, b, ...rest] = data.runs.map((run) => run.runId);
    await Promise.all([
      first.merge(a as string, objectsOf(a)),
      second.merge(b as string, objectsOf(b)),
      first.merge(b as string, objectsOf(b)),
      second.merge(a as string, objectsOf(a)),
      ...rest.map((id, index) => (index % 2 === 0 ? first : second).merge(id, objectsOf(id))),
    ]);
    expect(await starSnapshot(second)).toEqual(baseline);
  });
});

describe("a lost DuckDB write race", () => {
  it("surfaces as the retryable SerializationConflictError", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const [one, two] = [await instance.connect(), await instance.connect()];
    try {
      await one.run("CREATE TABLE t (k INTEGER, v INTEGER); INSERT INTO t VALUES (1, 0)");
      await one.run("BEGIN TRANSACTION");
      await two.run("BEGIN TRANSACTION");
      await one.run("UPDATE t SET v = 1 WHERE k = 1");
      const raced = await two
        .run("UPDATE t SET v = 2 WHERE k = 1")
        .then(() => two.run("COMMIT"))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(raced).toBeInstanceOf(Error);
      const mapped = duckDbError("merge/053_star_fact_orders_insert.sql", raced);
      expect(mapped).toBeInstanceOf(SerializationConflictError);
      expect(mapped).toBeInstanceOf(TransientError);
      expect(mapped.name).toBe("SerializationConflictError");
      expect(mapped.message).toMatch(/^merge\/053_star_fact_orders_insert\.sql: .*[Cc]onflict/);
      expect(duckDbError("x.sql", new Error("Binder Error: column y not found")).name).toBe(
        "WarehouseStatementError",
      );
    } finally {
      one.closeSync();
      two.closeSync();
      instance.closeSync();
    }
  });
});
