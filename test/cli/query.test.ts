import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  RedshiftDataClient,
} from "@aws-sdk/client-redshift-data";
import { mockClient } from "aws-sdk-client-mock";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RedshiftWarehouse } from "../../src/adapters/aws/redshift-warehouse.js";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { QueryError, runQuery } from "../../src/cli/commands/query.js";
import { runProgram } from "../../src/cli/main.js";
import { LOCAL_SETTINGS, openWarehouse, SQL_ROOT, tempDir } from "../warehouse/support/warehouse.js";

describe("pipeline query: a failed statement", () => {
  let warehouse: DuckDbWarehouse;
  beforeAll(async () => {
    warehouse = await openWarehouse(await tempDir("query"));
    await warehouse.migrate(LOCAL_SETTINGS);
  });
  afterAll(async () => {
    await warehouse.close();
  });

  it("is a QueryError carrying the warehouse's own SQL error, not a pointer to the run record", async () => {
    const failed = runQuery((sql) => warehouse.query(sql), "select nope from ops.runs");
    await expect(failed).rejects.toBeInstanceOf(QueryError);
    await expect(failed).rejects.toThrow(
      /^the statement failed: Binder Error: Referenced column "nope" not found in FROM clause!/,
    );
  });

  it("passes rows through when the statement runs", async () => {
    expect(await runQuery((sql) => warehouse.query(sql), "select 1 + 1 as two")).toEqual([{ two: 2 }]);
  });

  it("is printed by the CLI with the SQL error and a hint about the statement", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const program = new Command("pipeline");
      program.command("query").action(async () => {
        await runQuery((sql) => warehouse.query(sql), "selec 1");
      });
      expect(await runProgram(program, ["query"])).toBe(1);
      const printed = stderr.mock.calls.map((call) => String(call[0])).join("");
      expect(printed).toMatch(
        /^error: the statement failed: .*Parser Error: syntax error at or near "selec"/,
      );
      expect(printed).toContain(
        "hint: fix the statement (Redshift dialect; a local stage runs it on DuckDB after translation)",
      );
      expect(printed).not.toContain("run record");
    } finally {
      stderr.mockRestore();
    }
  });
});

describe("pipeline query on Redshift: a failed statement", () => {
  const redshift = mockClient(RedshiftDataClient);
  afterAll(() => {
    redshift.restore();
  });

  it("is a QueryError carrying the Data API's error for the statement", async () => {
    redshift.reset();
    redshift.on(ExecuteStatementCommand).resolves({ Id: "q-1" });
    redshift.on(DescribeStatementCommand).resolves({
      Id: "q-1",
      Status: "FAILED",
      Error: 'ERROR: column "nope" does not exist in runs',
    });
    const warehouse = new RedshiftWarehouse({
      client: new RedshiftDataClient({ region: "eu-west-1" }),
      workgroupName: "sales-dev",
      database: "sales",
      sqlRoot: SQL_ROOT,
      poll: { initialDelayMs: 1, maxDelayMs: 1, factor: 1, timeoutMs: 1_000, cancelGraceMs: 10 },
      sleep: async () => undefined,
    });
    await expect(runQuery((sql) => warehouse.query(sql), "select nope from ops.runs")).rejects.toThrow(
      new QueryError('the statement failed: ERROR: column "nope" does not exist in runs'),
    );
    expect(redshift.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input)).toEqual([
      {
        WorkgroupName: "sales-dev",
        Database: "sales",
        Sql: "select nope from ops.runs",
        StatementName: "query",
      },
    ]);
  });
});
