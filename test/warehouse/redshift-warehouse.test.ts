import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from "@aws-sdk/client-redshift-data";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { RedshiftWarehouse } from "../../src/adapters/aws/redshift-warehouse.js";
import { SerializationConflictError } from "../../src/core/errors.js";
import { TransientError } from "../../src/errors.js";
import {
  WarehouseOutcomeUnknownError,
  WarehouseStatementError,
  WarehouseTimeoutError,
} from "../../src/warehouse/errors.js";
import { boundMergePlan } from "../../src/warehouse/merge-plan.js";
import { migrationPlan } from "../../src/warehouse/migrations.js";
import { fillPlaceholders, SqlFiles } from "../../src/warehouse/sql-files.js";
import { SQL_ROOT } from "./support/warehouse.js";

const redshift = mockClient(RedshiftDataClient);
const files = new SqlFiles(SQL_ROOT);
const TARGET = { WorkgroupName: "sales-dev", Database: "sales" };
const RUN = "run-20170105-3f2a9c1e0b7d";

/** A warehouse on the mocked client, with a fake clock that the fake sleep advances. */
const build = (
  options: { secretArn?: string; timeoutMs?: number; copyJobClient?: RedshiftDataClient } = {},
) => {
  let clock = 1_700_000_000_000;
  const sleeps: number[] = [];
  const warehouse = new RedshiftWarehouse({
    client: new RedshiftDataClient({ region: "eu-west-1" }),
    workgroupName: TARGET.WorkgroupName,
    database: TARGET.Database,
    sqlRoot: SQL_ROOT,
    ...(options.secretArn ? { secretArn: options.secretArn } : {}),
    ...(options.copyJobClient ? { copyJobClient: options.copyJobClient } : {}),
    poll: {
      initialDelayMs: 100,
      maxDelayMs: 400,
      factor: 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      cancelGraceMs: 1_000,
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => new Date(clock),
  });
  return { warehouse, sleeps };
};

const text = (value: string) => ({ stringValue: value });
const long = (value: number) => ({ longValue: value });
const isNull = { isNull: true };

beforeEach(() => {
  redshift.reset();
});

describe("RedshiftWarehouse.merge", () => {
  it("submits the whole merge as ONE BatchExecuteStatement with the run id as a named parameter", async () => {
    const { warehouse, sleeps } = build();
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: "batch-1" });
    redshift
      .on(DescribeStatementCommand, { Id: "batch-1" })
      .resolvesOnce({ Id: "batch-1", Status: "SUBMITTED" })
      .resolvesOnce({ Id: "batch-1", Status: "STARTED" })
      .resolvesOnce({ Id: "batch-1", Status: "STARTED" })
      .resolves({ Id: "batch-1", Status: "FINISHED", HasResultSet: false });
    redshift.on(ExecuteStatementCommand).resolves({ Id: "report-1" });
    redshift
      .on(DescribeStatementCommand, { Id: "report-1" })
      .resolves({ Id: "report-1", Status: "FINISHED", HasResultSet: true });
    const columns = [
      "entity_name",
      "rows_loaded",
      "unit_price_sum",
      "freight_value_sum",
      "payment_value_sum",
    ].map((name) => ({ name }));
    redshift
      .on(GetStatementResultCommand, { Id: "report-1" })
      .resolvesOnce({
        ColumnMetadata: columns,
        Records: [[text("orders"), long(117), isNull, isNull, isNull]],
        NextToken: "page-2",
        TotalNumRows: 2,
      })
      .resolves({
        ColumnMetadata: columns,
        Records: [[text("order_items"), long(150), text("1234.50"), text("99.10"), isNull]],
        TotalNumRows: 2,
      });

    const report = await warehouse.merge(RUN, []);

    const plan = (await boundMergePlan(files, RUN, [])).statements;
    expect(redshift.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input)).toEqual([
      {
        ...TARGET,
        Sqls: plan.map((statement) => statement.sql),
        StatementName: `merge:${RUN}`,
        Parameters: [
          { name: "run_id", value: RUN },
          { name: "merge_id", value: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        ],
      },
    ]);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(redshift.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input)).toEqual([
      {
        ...TARGET,
        Sql: (await files.file("checks", "reconciliation.sql")).sql,
        StatementName: `merge-report:${RUN}`,
        Parameters: [{ name: "run_id", value: RUN }],
      },
    ]);
    expect(redshift.commandCalls(GetStatementResultCommand).map((call) => call.args[0].input)).toEqual([
      { Id: "report-1" },
      { Id: "report-1", NextToken: "page-2" },
    ]);
    expect(report).toEqual({
      runId: RUN,
      statements: plan.length,
      seconds: 0.7,
      rowsByEntity: { orders: 117, order_items: 150 },
    });
  });

  it("turns a serializable isolation violation (error 1023) into the retryable SerializationConflictError", async () => {
    const { warehouse } = build();
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: "batch-2" });
    redshift.on(DescribeStatementCommand).resolves({
      Id: "batch-2",
      Status: "FAILED",
      Error:
        "ERROR: 1023 DETAIL: Serializable isolation violation on table - 110154, transactions forming the cycle are: 1, 2",
      SubStatements: [
        { Id: "batch-2:1", Status: "FINISHED" },
        {
          Id: "batch-2:2",
          Status: "FAILED",
          Error:
            "ERROR: 1023 DETAIL: Serializable isolation violation on table - 110154, transactions forming the cycle are: 1, 2",
        },
        { Id: "batch-2:3", Status: "ABORTED" },
      ],
    });
    const error = await warehouse.merge(RUN, []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SerializationConflictError);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).name).toBe("SerializationConflictError");
    expect((error as Error).message).toMatch(
      /^merge\/010_merge_scope\.sql: ERROR: 1023 .*Serializable isolation/,
    );
  });

  it("names the statement that failed, and does not retry other errors", async () => {
    const { warehouse } = build();
    const plan = (await boundMergePlan(files, RUN, [])).statements;
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: "batch-3" });
    redshift.on(DescribeStatementCommand).resolves({
      Id: "batch-3",
      Status: "FAILED",
      Error: 'ERROR: column "attr_hash" does not exist',
      SubStatements: [
        ...plan.slice(0, 17).map((_, index) => ({ Id: `batch-3:${index + 1}`, Status: "FINISHED" as const })),
        { Id: "batch-3:18", Status: "FAILED", Error: 'ERROR: column "attr_hash" does not exist' },
      ],
    });
    const error = await warehouse.merge(RUN, []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error).not.toBeInstanceOf(TransientError);
    expect(error).toMatchObject({
      statement: plan[17]?.name,
      message: `${plan[17]?.name}: ERROR: column "attr_hash" does not exist`,
    });
    expect(plan[17]?.name).toBe("merge/041_star_dim_customer_insert.sql");
  });

  // Issue 13, risk 7: a merge given up on must not commit later, after the failure path withdrew its files.
  it("cancels a merge that outlives its budget and, once it stopped, fails with a retryable WarehouseTimeoutError", async () => {
    const { warehouse, sleeps } = build({ timeoutMs: 1_000 });
    let cancelled = false;
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: "batch-4" });
    redshift.on(CancelStatementCommand).callsFake(() => {
      cancelled = true;
      return { Status: true };
    });
    redshift
      .on(DescribeStatementCommand)
      .callsFake(() => ({ Id: "batch-4", Status: cancelled ? "ABORTED" : "STARTED" }));
    const error = await warehouse.merge(RUN, []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WarehouseTimeoutError);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/was cancelled \(nothing committed\)/);
    expect(redshift.commandCalls(CancelStatementCommand).map((call) => call.args[0].input)).toEqual([
      { Id: "batch-4" },
    ]);
    expect(sleeps).toEqual([100, 200, 400, 400]);
  });

  it("returns normally when the statement finished while it was being cancelled (it committed)", async () => {
    const { warehouse } = build({ timeoutMs: 1_000 });
    let cancelled = false;
    redshift.on(ExecuteStatementCommand).resolves({ Id: "stmt-5" });
    redshift.on(CancelStatementCommand).callsFake(() => {
      cancelled = true;
      throw Object.assign(new Error("Could not cancel a query that is already in FINISHED state"), {
        name: "ValidationException",
      });
    });
    redshift
      .on(DescribeStatementCommand)
      .callsFake(() => ({ Id: "stmt-5", Status: cancelled ? "FINISHED" : "STARTED", HasResultSet: false }));
    await expect(
      warehouse.execute({ name: "ddl/x.sql", sql: "SELECT 1" }, {}, "probe"),
    ).resolves.toBeUndefined();
    expect(redshift.commandCalls(CancelStatementCommand)).toHaveLength(1);
  });

  it("says the outcome is unknown, and is not retryable, when the statement still runs after the cancel grace", async () => {
    const { warehouse, sleeps } = build({ timeoutMs: 1_000 });
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: "batch-6" });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    redshift.on(DescribeStatementCommand).resolves({ Id: "batch-6", Status: "STARTED" });
    const error = await warehouse.merge(RUN, []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WarehouseOutcomeUnknownError);
    expect(error).not.toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(
      /still STARTED 1000 ms after CancelStatement; it may still commit/,
    );
    // 1 s of polling, the cancel, then 1 s of grace: polling never stops early and never runs unbounded.
    expect(sleeps).toEqual([100, 200, 400, 400, 100, 200, 400, 400]);
  });

  it("sends the run's file versions as parameters of the statement that records them, in the same batch", async () => {
    const { warehouse } = build();
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: "batch-7" });
    redshift.on(DescribeStatementCommand, { Id: "batch-7" }).resolves({ Id: "batch-7", Status: "FINISHED" });
    redshift.on(ExecuteStatementCommand).resolves({ Id: "report-7" });
    redshift
      .on(DescribeStatementCommand, { Id: "report-7" })
      .resolves({ Id: "report-7", Status: "FINISHED" });
    const objects = [
      { sourceFile: "s3://raw/orders/dt=2017-01-05/o.csv", entity: "orders", version: "001796591735123:" },
    ];
    await warehouse.merge(RUN, objects);
    const input = redshift.commandCalls(BatchExecuteStatementCommand)[0]?.args[0].input;
    expect(input?.Sqls).toHaveLength((await boundMergePlan(files, RUN, objects)).statements.length);
    expect(input?.Sqls?.[1]).toContain("CAST(:o0_source_file AS VARCHAR(1024)) AS source_file");
    expect([...(input?.Parameters ?? [])].sort((a, b) => ((a.name ?? "") < (b.name ?? "") ? -1 : 1))).toEqual(
      [
        { name: "merge_id", value: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        { name: "o0_entity_name", value: "orders" },
        { name: "o0_source_file", value: "s3://raw/orders/dt=2017-01-05/o.csv" },
        { name: "o0_version", value: "001796591735123:" },
        { name: "run_id", value: RUN },
      ],
    );
  });

  it("refuses a run id that is not an execution name before calling AWS", async () => {
    const { warehouse } = build();
    await expect(warehouse.merge("run'; DROP TABLE core.orders; --", [])).rejects.toThrow(/run id/);
    expect(redshift.calls()).toHaveLength(0);
  });

  it("reports throttling as a TransientError", async () => {
    const { warehouse } = build();
    redshift.on(BatchExecuteStatementCommand).rejects(
      Object.assign(new Error("Rate exceeded"), {
        name: "ThrottlingException",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(warehouse.merge(RUN, [])).rejects.toBeInstanceOf(TransientError);
    redshift.on(BatchExecuteStatementCommand).rejects(
      Object.assign(new Error("too many"), {
        name: "ActiveStatementsExceededException",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(warehouse.merge(RUN, [])).rejects.toBeInstanceOf(TransientError);
  });
});

describe("RedshiftWarehouse.loadHistory", () => {
  it("asks SYS_COPY_JOB_DETAIL about the run's files, with the run id as a parameter", async () => {
    const { warehouse } = build({
      secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh-admin",
    });
    redshift.on(ExecuteStatementCommand).resolves({ Id: "history-1" });
    redshift
      .on(DescribeStatementCommand)
      .resolves({ Id: "history-1", Status: "FINISHED", HasResultSet: true });
    const columns = [
      "file_size",
      "enqueue_time",
      "job_name",
      "bucket",
      "file_name",
      "status",
      "lines_scanned",
    ].map((name) => ({ name }));
    redshift.on(GetStatementResultCommand).resolves({
      ColumnMetadata: columns,
      Records: [
        [
          long(2048),
          text("2026-11-21 10:00:01"),
          text("staging_orders"),
          text("sales-load"),
          text(`orders/${RUN}/part-0.parquet`),
          text("I"),
          long(117),
        ],
        [
          long(1024),
          text("2026-11-21 10:00:01"),
          text("staging_payments"),
          text("sales-load"),
          text(`payments/${RUN}/part-0.parquet`),
          text("P"),
          isNull,
        ],
        [
          long(10),
          text("2026-11-21 10:00:01"),
          text("staging_customers"),
          text("sales-load"),
          text(`customers/${RUN}/part-0.parquet`),
          text("E"),
          isNull,
        ],
      ],
    });
    const history = await warehouse.loadHistory(RUN);
    expect(redshift.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input)).toEqual([
      {
        ...TARGET,
        SecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh-admin",
        Sql: (await files.file("checks", "load_history.sql")).sql,
        StatementName: `load-history:${RUN}`,
        Parameters: [{ name: "run_id", value: RUN }],
      },
    ]);
    expect(history).toEqual({
      runId: RUN,
      files: [
        {
          jobName: "staging_customers",
          entity: "customers",
          bucket: "sales-load",
          key: `customers/${RUN}/part-0.parquet`,
          status: "failed",
          rows: null,
          size: 10,
        },
        {
          jobName: "staging_orders",
          entity: "orders",
          bucket: "sales-load",
          key: `orders/${RUN}/part-0.parquet`,
          status: "loaded",
          rows: 117,
          size: 2048,
        },
        {
          jobName: "staging_payments",
          entity: "payments",
          bucket: "sales-load",
          key: `payments/${RUN}/part-0.parquet`,
          status: "pending",
          rows: null,
          size: 1024,
        },
      ],
    });
  });
});

describe("RedshiftWarehouse.migrate", () => {
  const settings = {
    load_bucket: "sales-dev-load",
    copy_role_arn: "arn:aws:iam::123456789012:role/sales-dev-copy",
  };

  /** Every statement succeeds; the ledger and SYS_COPY_JOB answer from `ledger` and `jobs`. */
  const fakeDatabase = (ledger: { version: string; checksum: string }[], jobs: string[]) => {
    let next = 0;
    const results = new Map<string, { name: string }[] | undefined>();
    const records = new Map<string, ReturnType<typeof text>[][]>();
    redshift
      .on(ExecuteStatementCommand)
      .callsFake((input: { Sql: string; Parameters?: { name: string; value: string }[] }) => {
        const id = `statement-${++next}`;
        if (input.Sql.includes("FROM ops.schema_migrations")) {
          results.set(id, [{ name: "version" }, { name: "checksum" }]);
          records.set(
            id,
            ledger.map((row) => [text(row.version), text(row.checksum)]),
          );
        } else if (input.Sql.includes("FROM sys_copy_job")) {
          const wanted = input.Parameters?.[0]?.value ?? "";
          results.set(id, [{ name: "job_name" }]);
          records.set(id, jobs.includes(wanted) ? [[text(wanted)]] : []);
        }
        return { Id: id };
      });
    redshift.on(BatchExecuteStatementCommand).callsFake(() => ({ Id: `batch-${++next}` }));
    redshift.on(DescribeStatementCommand).callsFake(({ Id }: { Id: string }) => ({
      Id,
      Status: "FINISHED",
      HasResultSet: results.has(Id),
    }));
    redshift.on(GetStatementResultCommand).callsFake(({ Id }: { Id: string }) => ({
      ColumnMetadata: results.get(Id),
      Records: records.get(Id) ?? [],
    }));
  };

  it("applies ddl in transactions with its ledger row, and creates copy jobs on their own, outside any transaction", async () => {
    const { warehouse } = build();
    fakeDatabase([], ["staging_orders"]);
    const report = await warehouse.migrate(settings);
    const plan = await migrationPlan(files);
    const copyJobs = plan.filter((m) => m.kind === "copy-job").map((m) => m.version);
    expect(report.adopted).toEqual(["copy-jobs/orders.sql"]);
    expect(report.applied).toEqual(plan.map((m) => m.version).filter((v) => v !== "copy-jobs/orders.sql"));

    const batches = redshift.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input);
    const first = plan[0];
    if (!first) throw new Error("empty plan");
    expect(batches[0]).toEqual({
      ...TARGET,
      Sqls: [
        "LOCK ops.schema_migrations",
        first.file.sql,
        "DELETE FROM ops.schema_migrations WHERE version = :version",
        "INSERT INTO ops.schema_migrations (version, kind, checksum, applied_at) VALUES (:version, :kind, :checksum, GETDATE())",
      ],
      StatementName: `migrate:${first.version}`,
      Parameters: [
        { name: "version", value: first.version },
        { name: "kind", value: "versioned" },
        { name: "checksum", value: first.checksum },
      ],
    });
    expect(batches).toHaveLength(plan.length);
    for (const batch of batches) expect(batch.Sqls?.join("\n")).not.toMatch(/JOB\s+CREATE/i);
    // A migration of several statements is one batch: the ledger's lock, its statements, the ledger's row.
    const rebuild = plan.find((m) => m.version === "ddl/139_star_fact_sales_money_rebuild.sql");
    const rebuildBatch = batches.find((batch) => batch.StatementName === `migrate:${rebuild?.version}`);
    expect(rebuildBatch?.Sqls).toEqual([
      "LOCK ops.schema_migrations",
      ...(rebuild?.file.statements.map((statement) => statement.sql) ?? []),
      "DELETE FROM ops.schema_migrations WHERE version = :version",
      "INSERT INTO ops.schema_migrations (version, kind, checksum, applied_at) VALUES (:version, :kind, :checksum, GETDATE())",
    ]);
    expect(rebuildBatch?.Sqls).toHaveLength(9);
    // A no-transaction migration runs on its own (ALTER COLUMN ... TYPE cannot run in a transaction block), then
    // its ledger row is written in a batch of its own.
    const widen = plan.filter((m) => !m.transactional).map((m) => m.version);
    expect(widen).toEqual([
      "ddl/143_staging_customers_state_width.sql",
      "ddl/144_core_customers_state_width.sql",
      "ddl/145_star_dim_customer_state_width.sql",
      "ddl/146_staging_sellers_state_width.sql",
      "ddl/147_core_sellers_state_width.sql",
      "ddl/148_star_dim_seller_state_width.sql",
    ]);
    for (const batch of batches) expect(batch.Sqls?.join("\n")).not.toMatch(/ALTER COLUMN \w+ TYPE/i);
    const altered = redshift
      .commandCalls(ExecuteStatementCommand)
      .map((call) => call.args[0].input)
      .filter((input) => /ALTER COLUMN \w+ TYPE/i.test(input.Sql ?? ""));
    expect(altered.map((input) => [input.StatementName, input.Sql?.split("\n").at(-1)])).toEqual(
      widen.map((version) => {
        // ddl/143_staging_customers_state_width.sql -> staging.customers
        const table = version
          .replace(/^ddl\/\d+_/, "")
          .replace(/_state_width\.sql$/, "")
          .replace("_", ".");
        return [`migrate:${version}`, `ALTER TABLE ${table} ALTER COLUMN state TYPE VARCHAR(64)`];
      }),
    );

    const executed = redshift.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input);
    const creates = executed.filter((input) => /JOB\s+CREATE/i.test(input.Sql ?? ""));
    const expectedCreates = await Promise.all(
      copyJobs
        .filter((version) => version !== "copy-jobs/orders.sql")
        .map(async (version) => {
          const file = plan.find((m) => m.version === version)?.file;
          if (!file) throw new Error(version);
          return {
            ...TARGET,
            Sql: fillPlaceholders(file, settings).sql,
            StatementName: `migrate:${version}`,
          };
        }),
    );
    expect(creates).toEqual(expectedCreates);
    expect(creates[0]?.Sql).toContain("FROM 's3://sales-dev-load/category_translation/'");
    expect(creates[0]?.Sql).toContain("IAM_ROLE 'arn:aws:iam::123456789012:role/sales-dev-copy'");
  });

  // Issue 13, risk 1: the COPY JOBs belong to the loader (AwaitLoad's database user), which then sees their load
  // history as its own rows; everything else runs as the admin.
  it("creates and looks up the COPY JOBs as the loader, without the admin secret, and the rest as the admin", async () => {
    const loader = new RedshiftDataClient({ region: "eu-west-1" });
    const { warehouse } = build({
      secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift!sales-dev-admin",
      copyJobClient: loader,
    });
    fakeDatabase([], []);
    await warehouse.migrate(settings);
    const calls = redshift.commandCalls(ExecuteStatementCommand);
    const copyJobCalls = calls.filter((call) =>
      /sys_copy_job|JOB\s+CREATE/i.test(call.args[0].input.Sql ?? ""),
    );
    const plan = await migrationPlan(files);
    expect(copyJobCalls).toHaveLength(2 * plan.filter((m) => m.kind === "copy-job").length);
    for (const call of copyJobCalls) {
      expect(call.thisValue).toBe(loader);
      expect(call.args[0].input.SecretArn).toBeUndefined();
    }
    const adminCalls = [
      ...calls.filter((call) => !copyJobCalls.includes(call)),
      ...redshift.commandCalls(BatchExecuteStatementCommand),
    ];
    expect(adminCalls.length).toBeGreaterThan(plan.length);
    for (const call of adminCalls) {
      expect(call.thisValue).not.toBe(loader);
      expect(call.args[0].input.SecretArn).toMatch(/redshift!sales-dev-admin$/);
    }
  });

  it("does nothing but its idempotent bootstrap when the ledger is up to date", async () => {
    const { warehouse } = build();
    const plan = await migrationPlan(files);
    fakeDatabase(
      plan.map((m) => ({ version: m.version, checksum: m.checksum })),
      [],
    );
    expect(await warehouse.migrate(settings)).toEqual({
      applied: [],
      unchanged: plan.map((m) => m.version),
      adopted: [],
    });
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
    expect(
      redshift.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input.StatementName),
    ).toEqual([
      "migrate:ddl/000_ops_schema.sql",
      "migrate:ddl/001_ops_schema_migrations.sql",
      "migrate:ledger",
    ]);
  });
});
