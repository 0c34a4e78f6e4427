import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { publish } from "./support/curated-runs.js";
import { type GeneratedRuns, generatedRuns } from "./support/generated.js";
import { starSnapshot } from "./support/star.js";
import { LOCAL_SETTINGS, openWarehouse, tempDir } from "./support/warehouse.js";

/**
 * A Merge that fails part way (in the cloud: a statement error, a timeout, a lost connection) changes nothing
 * and keeps its run's staging rows, so that a redrive of the execution merges exactly them and then clears them.
 * The SQL and its one-transaction batch are the same on Redshift (BatchExecuteStatement) as here.
 */
let data: GeneratedRuns;
let warehouse: DuckDbWarehouse;
const count = async (sql: string): Promise<number> => Number((await warehouse.query(sql))[0]?.n);

beforeAll(async () => {
  data = await generatedRuns({ orders: 120, days: 2, seed: 11 });
  const loadDir = await tempDir("load");
  warehouse = await openWarehouse(loadDir);
  await warehouse.migrate(LOCAL_SETTINGS);
  for (const run of data.runs) await publish(run, loadDir);
  await warehouse.ingestNewFiles();
}, 120_000);
afterAll(() => warehouse.close());

describe("a failed Merge and its redrive", () => {
  it("leaves core, star and staging as they were, then the redriven Merge loads the run and clears its staging", async () => {
    const [first, second] = data.runs;
    if (!first || !second) throw new Error("the generator gave fewer than two runs");
    await warehouse.merge(first.runId, first.objects);
    const before = await starSnapshot(warehouse);
    const staged = await count(`SELECT count(*) AS n FROM staging.orders WHERE _run_id = '${second.runId}'`);
    expect(staged).toBeGreaterThan(0);

    // A late statement of the merge fails: its target table is gone for the moment.
    await warehouse.query("ALTER TABLE star.fact_payments RENAME TO fact_payments_away");
    await expect(warehouse.merge(second.runId, second.objects)).rejects.toThrow();
    await warehouse.query("ALTER TABLE star.fact_payments_away RENAME TO fact_payments");

    expect(await starSnapshot(warehouse)).toEqual(before);
    expect(await count(`SELECT count(*) AS n FROM staging.orders WHERE _run_id = '${second.runId}'`)).toBe(
      staged,
    );
    expect(
      await count(`SELECT count(*) AS n FROM staging.merge_scope WHERE run_id = '${second.runId}'`),
    ).toBe(0);

    await warehouse.merge(second.runId, second.objects);
    expect(await count(`SELECT count(*) AS n FROM staging.orders WHERE _run_id = '${second.runId}'`)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM staging.merge_scope")).toBe(0);
    expect(await starSnapshot(warehouse)).not.toEqual(before);
    expect(await count("SELECT count(*) AS n FROM core.orders")).toBeGreaterThan(0);
  }, 120_000);
});
