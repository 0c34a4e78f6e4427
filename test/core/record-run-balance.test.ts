import { describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../src/adapters/local/local-object-store.js";
import { opsRecord } from "../../src/core/ops-record.js";
import { recordRun } from "../../src/core/record-run.js";
import type { OpsRunRecord } from "../../src/ports/warehouse.js";
import { runRecordFixture } from "../support/run-record.js";
import { useTempDir } from "../support/temp.js";

const RUN = "run-20101201-0123456789abcdef";
const tempDir = useTempDir();
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** One source's metrics as the Spark job writes them (docs/interfaces.md), with the balance fields or without. */
const source = (
  read: number,
  parts: { curated: number; quarantined: number; exact: number; superseded: number; filtered: number } | null,
  entities: Record<string, number>,
) => ({
  files: [],
  rows_read: read,
  rows_quarantined: parts?.quarantined ?? 0,
  ...(parts
    ? {
        rows_curated: parts.curated,
        exact_duplicates: parts.exact,
        superseded: parts.superseded,
        rows_filtered: parts.filtered,
      }
    : {}),
  quarantined_by_reason: {},
  entities: Object.fromEntries(
    Object.entries(entities).map(([entity, rows]) => [entity, { rows_curated: rows }]),
  ),
});

const recordWith = async (sources: Record<string, ReturnType<typeof source>>) => {
  const store = new LocalObjectStore(await tempDir());
  const entities: Record<string, { rows_curated: number; sums: Record<string, string> }> = {};
  for (const metrics of Object.values(sources)) {
    for (const [entity, { rows_curated }] of Object.entries(metrics.entities)) {
      entities[entity] = { rows_curated: (entities[entity]?.rows_curated ?? 0) + rows_curated, sums: {} };
    }
  }
  const metricsRef = { bucket: "curated", key: `metrics/${RUN}.json` } as const;
  await store.put(metricsRef, JSON.stringify({ run_id: RUN, sources, entities }));
  const recorded: OpsRunRecord[] = [];
  const { record } = await recordRun(
    {
      status: "succeeded",
      execution: {
        run_id: RUN,
        started_at: "2026-12-06T02:00:00.000Z",
        plan: { metrics_uri: store.uri(metricsRef), sources: Object.keys(sources), files: 2 },
      },
    },
    {
      store,
      warehouse: { recordRun: async (rows) => void recorded.push(rows) },
      log,
      now: () => new Date("2026-12-06T02:01:00.000Z"),
    },
  );
  return { record, run: recorded[0]?.run };
};

describe("a run's balance in the run record and ops.runs", () => {
  it("counts curated SOURCE rows: a row feeding three entities is curated once", async () => {
    const { record, run } = await recordWith({
      invoices: source(
        1000,
        { curated: 950, quarantined: 20, exact: 12, superseded: 8, filtered: 10 },
        { customers: 950, products: 950, order_items: 950 },
      ),
      payments: source(
        100,
        { curated: 97, quarantined: 1, exact: 2, superseded: 0, filtered: 0 },
        { payments: 97 },
      ),
    });
    expect(record.rows).toMatchObject({
      read: 1100,
      curated: 1047,
      quarantined: 21,
      exact_duplicates: 14,
      superseded: 8,
      filtered: 10,
      curated_by_entity: { customers: 950, products: 950, order_items: 950, payments: 97 },
      by_source: {
        invoices: {
          read: 1000,
          quarantined: 20,
          curated: 950,
          exact_duplicates: 12,
          superseded: 8,
          filtered: 10,
        },
        payments: { read: 100, quarantined: 1, curated: 97, exact_duplicates: 2, superseded: 0, filtered: 0 },
      },
    });
    expect(run).toMatchObject({
      rows_read: "1100",
      rows_curated: "1047",
      rows_quarantined: "21",
      rows_exact_duplicates: "14",
      rows_superseded: "8",
      rows_filtered: "10",
    });
  });

  it("leaves the balance unknown (NULL) when some source's metrics lack it (an older Spark job)", async () => {
    const { record, run } = await recordWith({
      orders: source(10, { curated: 9, quarantined: 1, exact: 0, superseded: 0, filtered: 0 }, { orders: 9 }),
      payments: source(5, null, { payments: 5 }),
    });
    expect(record.rows).toMatchObject({ read: 15, curated: null, exact_duplicates: null, superseded: null });
    expect(record.rows.by_source.payments).toEqual({ read: 5, quarantined: 0 });
    expect(run).toMatchObject({ rows_read: "15", rows_curated: null, rows_exact_duplicates: null });
  });

  it("writes NULLs for a record written before the balance existed", () => {
    const { run } = opsRecord(
      runRecordFixture({
        run_id: RUN,
        status: "succeeded",
        sources: ["orders"],
        quality_verdict: "pass",
        rows: {
          read: 10,
          quarantined: 1,
          quarantined_by_reason: {},
          curated_by_entity: { orders: 9 },
          by_source: {},
        },
      }),
      undefined,
      "file:///runs/r.json",
    );
    expect(run).toMatchObject({ rows_read: "10", rows_curated: null, rows_filtered: null });
  });
});
