import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { opsRecord } from "../../src/core/ops-record.js";
import type { RunRecord } from "../../src/documents/run-record.js";
import { runRecordFixture } from "../support/run-record.js";
import { LOCAL_SETTINGS, openWarehouse, tempDir } from "./support/warehouse.js";

/** ops.run_balance (sql/ddl/123) on the local warehouse: conservation per run, checked in SQL. */
describe("ops.run_balance", () => {
  let warehouse: DuckDbWarehouse;
  beforeAll(async () => {
    warehouse = await openWarehouse(await tempDir("balance"));
    await warehouse.migrate(LOCAL_SETTINGS);
  });
  afterAll(() => warehouse.close());

  const rowsOf = (
    runId: string,
    rows: Partial<RunRecord["rows"]>,
  ): Parameters<DuckDbWarehouse["recordRun"]>[0] => {
    const fixture = runRecordFixture();
    return opsRecord(
      runRecordFixture({ run_id: runId, rows: { ...fixture.rows, ...rows } }),
      undefined,
      `file:///runs/${runId}.json`,
    );
  };

  it("says per run whether read = curated + quarantined + exact duplicates + superseded + filtered", async () => {
    // Balanced: 452 = 440 + 7 + 3 + 2 + 0 (the fixture).
    await warehouse.recordRun(rowsOf("run-20170101-000000000000000a", {}));
    // One row unaccounted for.
    await warehouse.recordRun(rowsOf("run-20170102-000000000000000b", { read: 453 }));
    // Recorded before the balance existed: unknown, not "unbalanced".
    await warehouse.recordRun(
      rowsOf("run-20170103-000000000000000c", {
        curated: undefined,
        exact_duplicates: undefined,
        superseded: undefined,
        filtered: undefined,
      }),
    );
    // Failed before Spark's metrics.
    await warehouse.recordRun(
      rowsOf("run-20170104-000000000000000d", {
        read: null,
        quarantined: null,
        curated: null,
        exact_duplicates: null,
        superseded: null,
        filtered: null,
      }),
    );
    expect(
      await warehouse.query(
        `SELECT run_id, rows_read, rows_curated, rows_quarantined, rows_exact_duplicates, rows_superseded,
                rows_filtered, rows_accounted, balanced
         FROM ops.run_balance ORDER BY run_id`,
      ),
    ).toEqual([
      {
        run_id: "run-20170101-000000000000000a",
        rows_read: 452,
        rows_curated: 440,
        rows_quarantined: 7,
        rows_exact_duplicates: 3,
        rows_superseded: 2,
        rows_filtered: 0,
        rows_accounted: 452,
        balanced: true,
      },
      {
        run_id: "run-20170102-000000000000000b",
        rows_read: 453,
        rows_curated: 440,
        rows_quarantined: 7,
        rows_exact_duplicates: 3,
        rows_superseded: 2,
        rows_filtered: 0,
        rows_accounted: 452,
        balanced: false,
      },
      {
        run_id: "run-20170103-000000000000000c",
        rows_read: 452,
        rows_curated: null,
        rows_quarantined: 7,
        rows_exact_duplicates: null,
        rows_superseded: null,
        rows_filtered: null,
        rows_accounted: null,
        balanced: null,
      },
      {
        run_id: "run-20170104-000000000000000d",
        rows_read: null,
        rows_curated: null,
        rows_quarantined: null,
        rows_exact_duplicates: null,
        rows_superseded: null,
        rows_filtered: null,
        rows_accounted: null,
        balanced: null,
      },
    ]);
  });
});
