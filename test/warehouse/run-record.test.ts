import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  RedshiftDataClient,
} from "@aws-sdk/client-redshift-data";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RedshiftWarehouse } from "../../src/adapters/aws/redshift-warehouse.js";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { clip, DQ_RESULT_WIDTHS, opsRecord, RUN_WIDTHS, timestampOf } from "../../src/core/ops-record.js";
import { ValidationError } from "../../src/errors.js";
import type { OpsDqResultRow, OpsRunRecord } from "../../src/ports/warehouse.js";
import { DQ_RESULTS_PER_STATEMENT, runRecordPlan } from "../../src/warehouse/run-record-plan.js";
import { SqlFiles } from "../../src/warehouse/sql-files.js";
import { parameterNames } from "../../src/warehouse/sql-text.js";
import { runRecordFixture } from "../support/run-record.js";
import { LOCAL_SETTINGS, openWarehouse, SQL_ROOT, tempDir } from "./support/warehouse.js";

const RUN = "run-20170105-3f2a9c1e0b7d";
const files = new SqlFiles(SQL_ROOT);

const record = runRecordFixture;

/** A quality report with `count` rule results over two sources. */
const report = (count: number) => {
  const rules = (source: string, from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({
      name: `${source}_rule_${from + i}`,
      rule: i % 2 === 0 ? "not_null" : "max_reject_rate",
      severity: i % 3 === 0 ? "error" : "warn",
      status: i === 0 ? "fail" : "pass",
      observed: i % 2 === 0 ? 0.25 + i : null,
      threshold: i % 2 === 0 ? 0.05 : null,
      detail: i === 1 ? "" : `rule ${from + i}: it's "quoted", and ünïcode`,
      ...(i % 2 === 0 ? { evaluated: 100 + i, failed: i } : {}),
    }));
  const half = Math.floor(count / 2);
  return {
    run_id: RUN,
    evaluated_at: "2026-11-21T19:48:30.000Z",
    sources: {
      orders: { source: "orders", verdict: "pass", rules: rules("orders", 0, half) },
      payments: { source: "payments", verdict: "fail", rules: rules("payments", half, count) },
    },
  };
};

describe("opsRecord", () => {
  it("turns a run record and its quality report into one ops.runs row and one row per rule result", () => {
    const rows = opsRecord(record(), report(4), `s3://curated/runs/${RUN}.json`);
    expect(rows.run).toEqual({
      run_id: RUN,
      status: "partial",
      started_at: "2026-11-21 19:47:00.000",
      recorded_at: "2026-11-21 19:49:12.345",
      run_trigger: "s3",
      files: "5",
      sources: "orders,payments",
      quality_verdict: "fail",
      rows_read: "452",
      rows_quarantined: "7",
      rows_curated: "440",
      rows_exact_duplicates: "3",
      rows_superseded: "2",
      rows_filtered: "0",
      error_name: null,
      error_cause: null,
      record_uri: `s3://curated/runs/${RUN}.json`,
    });
    expect(rows.dqResults).toHaveLength(4);
    expect(rows.dqResults[0]).toEqual({
      evaluated_at: "2026-11-21 19:48:30.000",
      source_name: "orders",
      source_verdict: "pass",
      rule_name: "orders_rule_0",
      rule_kind: "not_null",
      severity: "error",
      status: "fail",
      observed: "0.25",
      threshold: "0.05",
      rows_evaluated: "100",
      rows_failed: "0",
      detail: `rule 0: it's "quoted", and ünïcode`,
    });
    expect(rows.dqResults[1]).toMatchObject({ observed: null, rows_evaluated: null, detail: null });
  });

  it("records a run that failed before the quality gate: no rule results, the error, unknown row counts", () => {
    const failed = record({
      status: "failed",
      quality_verdict: null,
      rows: {
        read: null,
        quarantined: null,
        quarantined_by_reason: {},
        curated_by_entity: {},
        by_source: {},
      },
      error: { error: "SparkJobFailedError", cause: "x".repeat(5000) },
    });
    const rows = opsRecord(failed, undefined, "file:///runs/x.json");
    expect(rows.dqResults).toEqual([]);
    expect(rows.run).toMatchObject({
      rows_read: null,
      rows_curated: null,
      rows_exact_duplicates: null,
      rows_superseded: null,
      rows_filtered: null,
      error_name: "SparkJobFailedError",
    });
    expect(rows.run.error_cause).toHaveLength(4096);
  });

  it("refuses another run's report and a malformed timestamp", () => {
    expect(() => opsRecord(record(), { ...report(2), run_id: "run-other" }, "uri")).toThrow(ValidationError);
    expect(() => timestampOf("yesterday", "started_at")).toThrow(/started_at is not a timestamp/);
  });

  it("knows the VARCHAR width of every text column of the DDL, and clips every text value to it", async () => {
    // DuckDB ignores VARCHAR(n), so the local round trip cannot catch a value too wide for Redshift: this can.
    const widths = async (file: string) =>
      Object.fromEntries(
        [
          ...(await readFile(join(SQL_ROOT, "ddl", file), "utf8")).matchAll(/^\s+(\w+) VARCHAR\((\d+)\)/gm),
        ].map((m) => [m[1], Number(m[2])]),
      );
    expect(await widths("090_ops_runs.sql")).toEqual(RUN_WIDTHS);
    const { run_id: _shared, ...dqWidths } = await widths("091_ops_dq_results.sql");
    expect(dqWidths).toEqual(DQ_RESULT_WIDTHS);

    const long = "ü".repeat(3000); // 6000 bytes
    const wide = report(2);
    const [rule] = wide.sources.orders.rules;
    if (!rule) throw new Error("no rule");
    Object.assign(rule, { name: long, rule: long, severity: long, status: long, detail: long });
    const rows = opsRecord(
      record({ trigger: long, sources: [long], error: { error: long, cause: long } }),
      wide,
      `file:///${long}`,
    );
    for (const [column, width] of Object.entries(RUN_WIDTHS)) {
      const value = rows.run[column as keyof typeof rows.run];
      if (value !== null) expect(Buffer.byteLength(value), column).toBeLessThanOrEqual(width);
    }
    for (const [column, width] of Object.entries(DQ_RESULT_WIDTHS)) {
      const value = rows.dqResults[0]?.[column as keyof OpsDqResultRow];
      if (value !== null && value !== undefined)
        expect(Buffer.byteLength(value), column).toBeLessThanOrEqual(width);
    }
    expect(rows.run.error_cause).toHaveLength(2048);
    expect(rows.dqResults[0]?.rule_name).toHaveLength(128);
  });

  it("clips text to a byte budget without splitting a character", () => {
    expect(clip("abc", 10)).toBe("abc");
    expect(clip("ééé", 3)).toBe("é");
    expect(Buffer.byteLength(clip("ü".repeat(3000), 4096))).toBe(4096);
  });
});

describe("runRecordPlan", () => {
  it("locks, replaces the run row and inserts the results several per statement, nulls as NULL", async () => {
    const rows = opsRecord(record(), report(DQ_RESULTS_PER_STATEMENT + 3), "uri");
    const { statements, params } = await runRecordPlan(files, rows);
    expect(statements.map((s) => s.name)).toEqual([
      "ops/000_lock_targets.sql",
      "ops/010_delete_run.sql",
      "ops/011_insert_run.sql",
      "ops/020_delete_dq_results.sql",
      "ops/021_insert_dq_results.sql#1",
      "ops/021_insert_dq_results.sql#2",
    ]);
    const names = statements.flatMap((s) => parameterNames(s.sql));
    // Every parameter a statement uses has a value, and no value is empty (the Data API refuses those).
    for (const name of names) expect(params[name], name).toMatch(/./);
    expect(Object.keys(params).sort()).toEqual([...new Set(names)].sort());
    expect(statements[4]?.sql).toContain(":r0_rule_name");
    expect(statements[5]?.sql).toContain(`:r${DQ_RESULTS_PER_STATEMENT}_rule_name`);
    // Result 1 has no observed value: NULL stands in the SQL, no parameter is sent.
    expect(params.r1_observed).toBeUndefined();
    expect(statements[4]?.sql).toMatch(/CAST\(NULL AS DOUBLE PRECISION\)/);
  });

  it("fails loudly when the row type and the SQL template disagree", async () => {
    const rows = opsRecord(record(), report(1), "uri");
    const extra = { ...rows.dqResults[0], surprise: "x" } as unknown as OpsDqResultRow;
    await expect(runRecordPlan(files, { ...rows, dqResults: [extra] })).rejects.toThrow(
      /no parameter for surprise/,
    );
    const { detail: _dropped, ...missing } = rows.dqResults[0] as OpsDqResultRow;
    await expect(
      runRecordPlan(files, { ...rows, dqResults: [missing as unknown as OpsDqResultRow] }),
    ).rejects.toThrow(/no value for :detail/);
  });

  it("refuses an invalid run id and more results than one transaction holds", async () => {
    const rows = opsRecord(record(), report(2), "uri");
    await expect(runRecordPlan(files, { ...rows, run: { ...rows.run, run_id: "x'; DROP" } })).rejects.toThrow(
      ValidationError,
    );
    // 4 fixed statements + 36 INSERTs of 25 results = 40, the most one BatchExecuteStatement holds.
    const results = (n: number) => Array.from({ length: n }, () => rows.dqResults[0] as OpsDqResultRow);
    const fits = await runRecordPlan(files, { ...rows, dqResults: results(36 * DQ_RESULTS_PER_STATEMENT) });
    expect(fits.statements).toHaveLength(40);
    await expect(
      runRecordPlan(files, { ...rows, dqResults: results(36 * DQ_RESULTS_PER_STATEMENT + 1) }),
    ).rejects.toThrow(/more than one transaction/);
  });
});

describe("DuckDbWarehouse.recordRun", () => {
  let warehouse: DuckDbWarehouse;
  beforeAll(async () => {
    warehouse = await openWarehouse(await tempDir("ops"));
    await warehouse.migrate(LOCAL_SETTINGS);
  });
  afterAll(() => warehouse.close());

  const count = async (table: string) =>
    Number(
      (await warehouse.query(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = :run_id`, { run_id: RUN }))[0]
        ?.n,
    );

  it("writes ops.runs and ops.dq_results with their types, and replaces them when the run is recorded again", async () => {
    const first: OpsRunRecord = opsRecord(
      record(),
      report(DQ_RESULTS_PER_STATEMENT + 5),
      "file:///runs/r.json",
    );
    await warehouse.recordRun(first);
    await warehouse.recordRun(first);
    expect(await count("ops.runs")).toBe(1);
    expect(await count("ops.dq_results")).toBe(DQ_RESULTS_PER_STATEMENT + 5);

    const [run] = await warehouse.query("SELECT * FROM ops.runs WHERE run_id = :run_id", { run_id: RUN });
    expect(run).toEqual({
      run_id: RUN,
      status: "partial",
      started_at: "2026-11-21 19:47:00",
      recorded_at: "2026-11-21 19:49:12.345",
      run_trigger: "s3",
      files: 5,
      sources: "orders,payments",
      quality_verdict: "fail",
      rows_read: 452,
      rows_quarantined: 7,
      rows_curated: 440,
      error_name: null,
      error_cause: null,
      record_uri: "file:///runs/r.json",
      rows_exact_duplicates: 3,
      rows_superseded: 2,
      rows_filtered: 0,
    });
    const results = await warehouse.query(
      `SELECT source_name, rule_name, status, observed, threshold, rows_evaluated, rows_failed, detail
       FROM ops.dq_results WHERE run_id = :run_id ORDER BY rule_name LIMIT 2`,
      { run_id: RUN },
    );
    expect(results).toEqual([
      {
        source_name: "orders",
        rule_name: "orders_rule_0",
        status: "fail",
        observed: 0.25,
        threshold: 0.05,
        rows_evaluated: 100,
        rows_failed: 0,
        detail: `rule 0: it's "quoted", and ünïcode`,
      },
      {
        source_name: "orders",
        rule_name: "orders_rule_1",
        status: "pass",
        observed: null,
        threshold: null,
        rows_evaluated: null,
        rows_failed: null,
        detail: null,
      },
    ]);

    // A redriven run that then succeeded: one row, the new status, its (fewer) results.
    await warehouse.recordRun(opsRecord(record({ status: "succeeded" }), report(3), "file:///runs/r.json"));
    expect(await count("ops.runs")).toBe(1);
    expect(await count("ops.dq_results")).toBe(3);
    const [status] = await warehouse.query("SELECT status FROM ops.runs WHERE run_id = :run_id", {
      run_id: RUN,
    });
    expect(status).toEqual({ status: "succeeded" });
  });
});

describe("RedshiftWarehouse.recordRun (recorded request shapes; AWS itself is out of reach)", () => {
  const redshift = mockClient(RedshiftDataClient);
  beforeEach(() => redshift.reset());

  it("sends the record as ONE BatchExecuteStatement with only non-empty named parameters", async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: "batch-ops" });
    redshift
      .on(DescribeStatementCommand)
      .resolves({ Id: "batch-ops", Status: "FINISHED", HasResultSet: false });
    const warehouse = new RedshiftWarehouse({
      client: new RedshiftDataClient({ region: "eu-west-1" }),
      workgroupName: "sales-dev",
      database: "sales",
      sqlRoot: SQL_ROOT,
      sleep: async () => {},
    });
    const rows = opsRecord(record(), report(4), "s3://curated/runs/r.json");
    await warehouse.recordRun(rows);

    const plan = await runRecordPlan(files, rows);
    const [call] = redshift.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    expect(call).toMatchObject({
      WorkgroupName: "sales-dev",
      Database: "sales",
      StatementName: `record-run:${RUN}`,
      Sqls: plan.statements.map((s) => s.sql),
    });
    expect(call?.Parameters?.[0]).toEqual({ name: "run_id", value: RUN });
    expect(call?.Parameters?.every((p) => p.value !== "")).toBe(true);
    expect(call?.Parameters?.map((p) => p.name).sort()).toEqual(Object.keys(plan.params).sort());
  });
});
