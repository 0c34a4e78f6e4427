import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { type CuratedRun, publish } from "./support/curated-runs.js";
import { type GeneratedRuns, generatedRuns } from "./support/generated.js";
import { STAR_TABLES, starSnapshot } from "./support/star.js";
import { LOCAL_SETTINGS, openWarehouse, SQL_ROOT, tempDir } from "./support/warehouse.js";

/**
 * The star schema is a function of the SET of runs loaded (docs/semantics.md): loading the same generated runs
 * in any order, with runs merged twice, files published twice and whole days replayed under new run ids, must
 * give identical star tables. Compared by a content hash of every star table.
 */

/** Random scenarios per test run (each loads 6-10 runs into an emptied warehouse). */
const PROPERTY_RUNS = 10;

/** One step of a scenario: publish a run's files (maybe again) and merge it (maybe again). */
interface Step {
  readonly run: CuratedRun;
  readonly kind: "run" | "duplicate" | "replay";
}

let data: GeneratedRuns;
beforeAll(async () => {
  // Small, but with many late rows, person moves, product changes and orphans.
  data = await generatedRuns({
    orders: 240,
    days: 6,
    seed: 3,
    rates: { late: 0.25, customerMove: 0.08, productChange: 0.3, orphan: 0.03, correctedRow: 0.05 },
  });
}, 120_000);

/** A warehouse that can be emptied between scenarios (migrations once). */
class Bench {
  private constructor(
    readonly warehouse: DuckDbWarehouse,
    readonly loadDir: string,
  ) {}

  static async open(sqlRoot = SQL_ROOT): Promise<Bench> {
    const loadDir = await tempDir("load");
    const warehouse = await openWarehouse(loadDir, { sqlRoot });
    await warehouse.migrate(LOCAL_SETTINGS);
    return new Bench(warehouse, loadDir);
  }

  async reset(): Promise<void> {
    const tables = await this.warehouse.query(
      `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND (table_schema IN ('staging', 'core', 'star')
         OR table_name IN ('load_audit', 'sys_copy_job_detail', 'sys_load_detail', 'sys_load_error_detail'))
         AND table_name <> 'dim_date'`,
    );
    for (const table of tables) await this.warehouse.query(`DELETE FROM ${table.name}`);
    await rm(this.loadDir, { recursive: true, force: true });
    await mkdir(this.loadDir, { recursive: true });
  }

  async play(steps: readonly Step[]): Promise<Record<string, string>> {
    await this.reset();
    for (const { run } of steps) {
      await publish(run, this.loadDir);
      await this.warehouse.loadHistory(run.runId);
      await this.warehouse.merge(run.runId, run.objects);
    }
    return starSnapshot(this.warehouse);
  }
}

/** Scenarios: every day once, in any order, plus runs merged twice and days replayed under another run id. */
const scenarios = (runs: readonly CuratedRun[], replays: readonly CuratedRun[]): fc.Arbitrary<Step[]> =>
  fc
    .record({
      duplicates: fc.subarray([...runs.keys()], { maxLength: 2 }),
      replays: fc.subarray([...runs.keys()], { maxLength: 2 }),
    })
    .chain(({ duplicates, replays: replayed }) => {
      const steps: Step[] = [
        ...runs.map((run) => ({ run, kind: "run" as const })),
        ...duplicates.map((index) => ({ run: runs[index] as CuratedRun, kind: "duplicate" as const })),
        ...replayed.map((index) => ({ run: replays[index] as CuratedRun, kind: "replay" as const })),
      ];
      return fc.shuffledSubarray(steps, { minLength: steps.length, maxLength: steps.length });
    });

const describeSteps = (steps: readonly Step[]) =>
  steps.map((step) => `${step.run.day}${step.kind === "run" ? "" : ` (${step.kind})`}`).join(" -> ");

describe("order independence, idempotency and replay", () => {
  let bench: Bench;
  let baseline: Record<string, string>;
  beforeAll(async () => {
    bench = await Bench.open();
    baseline = await bench.play(data.runs.map((run) => ({ run, kind: "run" })));
  }, 120_000);
  afterAll(() => bench.warehouse.close());

  it("the baseline (days in order) is the truth, with history and late rows to get right", async () => {
    expect(Object.keys(baseline)).toEqual([...STAR_TABLES]);
    const { truth } = data;
    expect(truth.scd2.dim_customer.keys_with_history).toBeGreaterThan(3);
    expect(truth.scd2.dim_product.keys_with_history).toBeGreaterThan(10);
    expect(baseline["star.dim_customer"]).toMatch(new RegExp(`^${truth.star.dim_customer} rows`));
    expect(baseline["star.dim_product"]).toMatch(new RegExp(`^${truth.star.dim_product} rows`));
    expect(baseline["star.fact_sales"]).toMatch(new RegExp(`^${truth.star.fact_sales} rows`));
    const unknown = await bench.warehouse.query(
      "SELECT count(*) AS n FROM star.fact_sales WHERE customer_key = -1",
    );
    expect(unknown).toEqual([{ n: truth.star.unknown_members.fact_sales_unknown_customer }]);
  });

  it("any order of arrival, duplicate deliveries and replays give identical star tables", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(scenarios(data.runs, data.replays), async (steps) => {
        runs += 1;
        expect(await bench.play(steps), describeSteps(steps)).toEqual(baseline);
      }),
      { numRuns: PROPERTY_RUNS, endOnFailure: true },
    );
    expect(runs).toBe(PROPERTY_RUNS);
  }, 300_000);

  it("would fail if history depended on arrival order (a rebuild from the arriving run only)", async () => {
    // The classic incremental-SCD2 mistake: rebuild a touched person's versions from this run's rows only.
    const root = join(await tempDir("sql"), "sql");
    await cp(SQL_ROOT, root, { recursive: true });
    const file = join(root, "merge/041_star_dim_customer_insert.sql");
    const join_ = "INNER JOIN scope ON observed.customer_unique_id = scope.customer_unique_id";
    const original = await readFile(file, "utf8");
    expect(original).toContain(join_);
    await writeFile(file, original.replace(join_, `${join_}\n    WHERE observed._run_id = :run_id`));
    const broken = await Bench.open(root);
    try {
      const brokenBaseline = await broken.play(data.runs.map((run) => ({ run, kind: "run" })));
      const details = await fc.check(
        fc.asyncProperty(scenarios(data.runs, data.replays), async (steps) => {
          expect(await broken.play(steps)).toEqual(brokenBaseline);
        }),
        { numRuns: 10, seed: 42, endOnFailure: true },
      );
      expect(details.failed).toBe(true);
      // Only the person dimension (and the facts pointing into it) depend on arrival order in the broken SQL.
      const failure = await broken.play(details.counterexample?.[0] ?? []);
      const differing = Object.keys(failure).filter((table) => failure[table] !== brokenBaseline[table]);
      expect(differing).toContain("star.dim_customer");
      expect(
        differing.every((table) =>
          ["star.dim_customer", "star.fact_sales", "star.fact_orders", "star.fact_payments"].includes(table),
        ),
      ).toBe(true);
    } finally {
      await broken.warehouse.close();
    }
  }, 300_000);
});
