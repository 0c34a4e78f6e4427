import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CLEANUP, VERIFY } from "../../src/ops/smoke/canary.js";
import {
  CANARY_DATE,
  type CanaryIds,
  canaryFiles,
  canaryIds,
  idsFromNonce,
  runSmoke,
  type SmokeDeps,
  SmokeTestError,
} from "../../src/ops/smoke/index.js";
import type { SqlParams } from "../../src/ports/warehouse.js";
import type { SqlStatement } from "../../src/warehouse/sql-files.js";

const IDS: CanaryIds = canaryIds(new Date("2026-12-06T21:10:00Z"), "a1b2");

/** A deployed stage in memory: RAW keys, the executions that pick them up, the warehouse's answers. */
const stage = (options: { statuses?: string[]; counts?: number[]; startAfterPolls?: number } = {}) => {
  const raw = new Map<string, string>();
  const deleted: string[] = [];
  const transactions: { statements: readonly SqlStatement[]; params: SqlParams }[] = [];
  const selects: { name: string; params: SqlParams }[] = [];
  const said: string[] = [];
  const statuses = [...(options.statuses ?? ["RUNNING", "SUCCEEDED"])];
  const counts = [...(options.counts ?? [1, 1, 1])];
  let polls = 0;
  let clock = Date.parse("2026-12-06T21:10:00Z");
  const deps: SmokeDeps = {
    putRaw: async (key, body) => {
      raw.set(key, body);
    },
    deleteRawVersions: async (key) => {
      deleted.push(key);
      return raw.delete(key) ? 1 : 0;
    },
    findRun: async (key) => {
      polls += 1;
      if (!raw.has(key) || polls <= (options.startAfterPolls ?? 1)) return undefined;
      const status = statuses.length > 1 ? (statuses.shift() as string) : (statuses[0] as string);
      return { runId: "run-20100101-5m0k3c4n4ry0", status };
    },
    select: async (statement, params) => {
      selects.push({ name: statement.name, params });
      return [{ n: counts.shift() ?? 0 }];
    },
    transaction: async (statements, params) => {
      transactions.push({ statements, params });
    },
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => new Date(clock),
    say: (line) => {
      said.push(line);
    },
  };
  return { deps, raw, deleted, transactions, selects, said };
};

const OPTIONS = { timeoutMs: 600_000, pollMs: 10_000, keep: false };

describe("the smoke canary", () => {
  it("uses ids no real file has, under the reserved first day of the calendar", () => {
    expect(IDS).toEqual({
      nonce: "smoke-20261206211000-a1b2",
      customerId: "smoke-20261206211000-a1b2-c",
      personId: "smoke-20261206211000-a1b2-p",
      orderId: "smoke-20261206211000-a1b2-o",
    });
    expect(idsFromNonce(IDS.nonce)).toEqual(IDS);
    expect(() => idsFromNonce("0a1b2c")).toThrow(/not a smoke nonce/);
    expect(canaryFiles(IDS).map((f) => f.key)).toEqual([
      `customers/dt=${CANARY_DATE}/smoke-20261206211000-a1b2.csv`,
      `orders/dt=${CANARY_DATE}/smoke-20261206211000-a1b2.csv`,
    ]);
    expect(readFileSync("sql/ddl/032_star_dim_date_rows.sql", "utf8")).toMatch(
      new RegExp(`from ${CANARY_DATE}`),
    );
  });

  it("writes each file in its source contract's columns, in order", () => {
    for (const file of canaryFiles(IDS)) {
      const source = file.key.split("/")[0] as string;
      const contract = parse(readFileSync(`contracts/${source}.yaml`, "utf8")) as {
        columns: { name: string }[];
      };
      const [header, row, ...rest] = file.body.split("\n");
      expect(header?.split(","), source).toEqual(contract.columns.map((c) => c.name));
      expect(row?.split(",")).toHaveLength(contract.columns.length);
      expect(rest).toEqual([""]);
    }
  });

  it("removes its rows from every staging, core and star table that holds an order, customer or person key", () => {
    const holders: string[] = [];
    for (const name of readdirSync("sql/ddl")) {
      const sql = readFileSync(`sql/ddl/${name}`, "utf8");
      const table = /CREATE TABLE IF NOT EXISTS ((?:staging|core|star)\.[a-z_]+)/.exec(sql)?.[1];
      if (table && /\b(order_id|customer_id|customer_unique_id)\b/.test(sql)) holders.push(table);
    }
    const cleaned = CLEANUP.map((s) => /DELETE FROM ([a-z_.]+)/.exec(s.sql)?.[1]);
    expect(cleaned.sort()).toEqual(holders.sort());
    for (const s of [...CLEANUP, ...VERIFY])
      expect(s.sql).toMatch(/:(order_id|customer_id|person_id|run_id)\b/);
  });
});

describe("runSmoke", () => {
  it("drops the canary, waits for its run, checks star and ops.runs, then removes its rows and every RAW version", async () => {
    const s = stage();
    const report = await runSmoke(IDS, s.deps, OPTIONS);
    expect(report).toEqual({
      runId: "run-20100101-5m0k3c4n4ry0",
      status: "SUCCEEDED",
      checks: VERIFY.map((v) => ({ what: v.what, ok: true, observed: 1 })),
      cleaned: true,
    });
    const params = {
      customer_id: IDS.customerId,
      person_id: IDS.personId,
      order_id: IDS.orderId,
      run_id: "run-20100101-5m0k3c4n4ry0",
    };
    expect(s.selects).toEqual(VERIFY.map((v) => ({ name: v.name, params })));
    expect(s.transactions).toEqual([{ statements: CLEANUP, params }]);
    expect(s.deleted).toEqual(canaryFiles(IDS).map((f) => f.key));
    expect(s.raw.size).toBe(0);
  });

  it("fails, and still cleans up, when the run did not succeed", async () => {
    const s = stage({ statuses: ["RUNNING", "FAILED"] });
    await expect(runSmoke(IDS, s.deps, OPTIONS)).rejects.toThrow(
      new SmokeTestError(
        "run run-20100101-5m0k3c4n4ry0 ended FAILED: pipeline status run-20100101-5m0k3c4n4ry0 --stage <stage> says where",
      ),
    );
    expect(s.transactions).toHaveLength(1);
    expect(s.raw.size).toBe(0);
  });

  it("fails when the run succeeded but the order never reached the star schema", async () => {
    const s = stage({ counts: [0, 1, 1] });
    await expect(runSmoke(IDS, s.deps, OPTIONS)).rejects.toThrow(
      /the run succeeded but star.fact_orders holds the canary order, joined to its customer did not hold/,
    );
    expect(s.transactions).toHaveLength(1);
  });

  it("leaves everything in place while the run is still running at the deadline (its merge could race the cleanup)", async () => {
    const s = stage({ statuses: ["RUNNING"] });
    await expect(runSmoke(IDS, s.deps, { ...OPTIONS, timeoutMs: 60_000 })).rejects.toThrow(
      /still RUNNING after 60 s/,
    );
    expect(s.transactions).toEqual([]);
    expect(s.raw.size).toBe(2);
    expect(s.said.at(-1)).toContain(`--cleanup ${IDS.nonce}`);
  });

  it("says where to look when no run ever picks the canary up, and removes the files", async () => {
    const s = stage({ startAfterPolls: 1_000 });
    await expect(runSmoke(IDS, s.deps, { ...OPTIONS, timeoutMs: 30_000 })).rejects.toThrow(
      /no run picked up orders\/dt=2010-01-01\/smoke-20261206211000-a1b2.csv within 30 s: check the RAW bucket's notification/,
    );
    expect(s.raw.size).toBe(0);
  });

  it("keeps the canary with --keep", async () => {
    const s = stage();
    const report = await runSmoke(IDS, s.deps, { ...OPTIONS, keep: true });
    expect(report.cleaned).toBe(false);
    expect(s.transactions).toEqual([]);
    expect(s.raw.size).toBe(2);
  });
});
