// `pipeline doctor` against recorded AWS responses (test/events/aws/doctor/), through the same clients and the same
// RedshiftWarehouse the CLI uses, each AWS client mocked with aws-sdk-client-mock.
import { readFileSync } from "node:fs";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { EMRServerlessClient, GetApplicationCommand } from "@aws-sdk/client-emr-serverless";
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  type Field,
  GetStatementResultCommand,
  RedshiftDataClient,
} from "@aws-sdk/client-redshift-data";
import { GetNamespaceCommand, RedshiftServerlessClient } from "@aws-sdk/client-redshift-serverless";
import { GetBucketNotificationConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { RedshiftWarehouse } from "../../src/adapters/aws/redshift-warehouse.js";
import {
  type CheckResult,
  type DoctorClients,
  type Expectations,
  expectations,
  formatReport,
  runDoctor,
} from "../../src/ops/doctor/index.js";

const recorded = <T>(name: string): T =>
  JSON.parse(readFileSync(`test/events/aws/doctor/${name}.json`, "utf8")) as T;

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const serverless = mockClient(RedshiftServerlessClient);
const emr = mockClient(EMRServerlessClient);
const cloudWatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const data = mockClient(RedshiftDataClient);

const LOADER_ID = 104;
const ADMIN_ID = 100;
const LOAD_BUCKET = "sales-pipeline-dev-load-123456789012-eu-west-1";
const TABLES = ["staging.orders", "core.orders", "star.fact_sales", "ops.runs"];

interface Result {
  columns: string[];
  records: Field[][];
}
const str = (value: string): Field => ({ stringValue: value });
const long = (value: number): Field => ({ longValue: value });

/** The warehouse's answers, by a fragment of the statement's SQL (what the Data API returned on a healthy stage). */
const healthyWarehouse = (expect: Expectations): Record<string, Result> => ({
  svv_copy_job_integrations: {
    columns: ["job_owner", "channel_arn", "bucket", "channel_state", "db_name", "job_name", "job_state"],
    records: expect.copyJobs.map((job) => [
      long(LOADER_ID),
      str("arn:aws:redshift:eu-west-1:123456789012:integration:4c3b2a19-8d7e-4f60-9a1b-2c3d4e5f6a7b"),
      str(LOAD_BUCKET),
      str("Established"),
      str("sales"),
      str(`${job}                `),
      long(0),
    ]),
  },
  sys_copy_job: {
    columns: ["job_name", "is_auto"],
    records: expect.copyJobs.map((job) => [str(job), long(1)]),
  },
  pg_user: { columns: ["usesysid"], records: [[long(LOADER_ID)]] },
  has_assumerole_privilege: { columns: ["ok"], records: [[{ booleanValue: true }]] },
  schema_migrations: {
    columns: ["version", "checksum"],
    records: expect.migrations.map((m) => [str(m.version), str(m.checksum)]),
  },
  pg_tables: {
    columns: ["schemaname", "tablename"],
    records: TABLES.map((t) => t.split(".").map(str)),
  },
  svv_relation_privileges: {
    columns: ["schema_name", "table_name", "privilege"],
    records: TABLES.flatMap((t) =>
      ["SELECT", "INSERT", "UPDATE", "DELETE"].map((p) => [...t.split(".").map(str), str(p)]),
    ),
  },
});

/** Mocks the Data API so that each statement answers from `answers` (by SQL fragment). */
const answerStatements = (answers: Record<string, Result>) => {
  const byId = new Map<string, Result>();
  let next = 0;
  data.on(ExecuteStatementCommand).callsFake((input: { Sql: string }) => {
    const id = `doctor-${++next}`;
    const key = Object.keys(answers).find((fragment) => input.Sql.includes(fragment));
    if (!key) throw new Error(`unexpected statement: ${input.Sql}`);
    byId.set(id, answers[key] as Result);
    return { Id: id };
  });
  data.on(DescribeStatementCommand).callsFake(({ Id }: { Id: string }) => ({
    Id,
    Status: "FINISHED",
    HasResultSet: true,
  }));
  data.on(GetStatementResultCommand).callsFake(({ Id }: { Id: string }) => {
    const result = byId.get(Id);
    return {
      ColumnMetadata: result?.columns.map((name) => ({ name })),
      Records: result?.records ?? [],
      TotalNumRows: result?.records.length ?? 0,
    };
  });
};

const clients = (): DoctorClients => {
  const client = new RedshiftDataClient({ region: "eu-west-1" });
  return {
    cloudFormation: new CloudFormationClient({ region: "eu-west-1" }),
    s3: new S3Client({ region: "eu-west-1" }),
    redshiftServerless: new RedshiftServerlessClient({ region: "eu-west-1" }),
    emr: new EMRServerlessClient({ region: "eu-west-1" }),
    cloudWatch: new CloudWatchClient({ region: "eu-west-1" }),
    sns: new SNSClient({ region: "eu-west-1" }),
    warehouse: ({ workgroup, database, secretArn }) => {
      const warehouse = new RedshiftWarehouse({
        client,
        workgroupName: workgroup,
        database,
        secretArn,
        sqlRoot: "sql",
        sleep: async () => undefined,
      });
      return { select: (sql, params = {}) => warehouse.select({ name: "doctor", sql }, params, "doctor") };
    },
  };
};

let expect_: Expectations;
let answers: Record<string, Result>;

beforeEach(async () => {
  for (const mock of [cfn, s3, serverless, emr, cloudWatch, sns, data]) mock.reset();
  expect_ = await expectations(process.cwd(), "dev");
  cfn.on(DescribeStacksCommand).resolves(recorded("describe-stacks"));
  s3.on(GetBucketNotificationConfigurationCommand).resolves(
    recorded("get-bucket-notification-configuration"),
  );
  serverless.on(GetNamespaceCommand).resolves(recorded("get-namespace"));
  emr.on(GetApplicationCommand).resolves(recorded("get-application"));
  cloudWatch.on(DescribeAlarmsCommand).resolves(recorded("describe-alarms"));
  sns.on(ListSubscriptionsByTopicCommand).resolves(recorded("list-subscriptions-by-topic"));
  answers = healthyWarehouse(expect_);
});

const run = async (): Promise<Record<string, CheckResult>> => {
  answerStatements(answers);
  const results = await runDoctor(expect_, clients());
  return Object.fromEntries(results.map((r) => [r.name, r]));
};

const statuses = (results: Record<string, CheckResult>) =>
  Object.fromEntries(Object.values(results).map((r) => [r.name, r.status]));

describe("pipeline doctor", () => {
  it("reads what the repository says the stage must hold", () => {
    expect(expect_.stackName).toBe("sales-pipeline-dev");
    expect(expect_.releaseLabel).toBe("emr-7.9.0");
    expect(expect_.copyJobs).toEqual([
      "staging_category_translation",
      "staging_customers",
      "staging_order_items",
      "staging_orders",
      "staging_payments",
      "staging_products",
      "staging_sellers",
    ]);
    expect(expect_.alarms).toHaveLength(5);
    expect(expect_.migrations.map((m) => m.version)).toContain("ddl/096_grant_loader_copy_jobs.sql");
  });

  it("passes every check on a healthy stage, reading only (Describe/Get/List and SELECTs as the admin)", async () => {
    const results = await run();
    expect(statuses(results)).toEqual({
      "stack outputs": "pass",
      "raw bucket -> queue": "pass",
      "load bucket integration": "pass",
      "COPY JOBs AUTO ON": "pass",
      "AwaitLoad sees its load history": "pass",
      "loader may COPY with the COPY role": "pass",
      "migrations ledger": "pass",
      "merge grants (incl. LOCK)": "pass",
      "EMR Serverless application": "pass",
      "alarms -> alert topic": "pass",
      "alert subscription confirmed": "pass",
    });
    const statements = data.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    for (const s of statements) {
      expect(s.Sql).toMatch(/^SELECT /);
      expect(s.SecretArn).toMatch(/redshift!sales-pipeline-dev-pipeline_admin/);
      expect(s.WorkgroupName).toBe("sales-pipeline-dev");
    }
    expect(statements.find((s) => s.Sql?.includes("pg_user"))?.Parameters).toEqual([
      { name: "user_name", value: "IAMR:sales-pipeline-dev-AwaitLoadRole-Q1W2E3R4T5Y6" },
    ]);
    expect(formatReport(Object.values(results))).toMatch(/all 11 checks passed\n$/);
  });

  it("fails the integration check while its channel is Pending, with what to do", async () => {
    for (const record of answers.svv_copy_job_integrations?.records ?? []) record[3] = str("Pending");
    const result = (await run())["load bucket integration"];
    expect(result).toMatchObject({ status: "fail", detail: `${LOAD_BUCKET}: Pending` });
    expect(result?.hint).toMatch(/wait a few minutes/);
  });

  it("fails when a COPY JOB is missing or not AUTO ON", async () => {
    const records = answers.sys_copy_job?.records ?? [];
    records.splice(0, 1);
    if (records[0]) records[0][1] = long(0);
    const result = (await run())["COPY JOBs AUTO ON"];
    expect(result).toMatchObject({
      status: "fail",
      detail: "missing: staging_category_translation; AUTO OFF: staging_customers",
    });
  });

  // Issue 13, risk 1: jobs owned by the admin would be invisible to AwaitLoad (every run a LoadTimeout).
  it("fails when a COPY JOB belongs to another user than the loader AwaitLoad signs in as", async () => {
    const first = answers.svv_copy_job_integrations?.records[0];
    if (first) first[0] = long(ADMIN_ID);
    const result = (await run())["AwaitLoad sees its load history"];
    expect(result).toMatchObject({
      status: "fail",
      detail:
        "owned by another user than IAMR:sales-pipeline-dev-AwaitLoadRole-Q1W2E3R4T5Y6: staging_category_translation",
    });
    expect(result?.hint).toMatch(/LoadTimeout/);
  });

  it("fails, with the GRANT to run, when ASSUMEROLE on the COPY role was revoked from the loader", async () => {
    answers.has_assumerole_privilege = { columns: ["ok"], records: [[{ booleanValue: false }]] };
    const result = (await run())["loader may COPY with the COPY role"];
    expect(result?.status).toBe("fail");
    expect(result?.hint).toBe(
      "as the admin, outside a transaction: GRANT ASSUMEROLE ON 'arn:aws:iam::123456789012:role/sales-pipeline-dev-WarehouseCopyRole-A1S2D3F4G5H6' TO ROLE pipeline_loader FOR COPY",
    );
    const call = data
      .commandCalls(ExecuteStatementCommand)
      .find((c) => c.args[0].input.Sql?.includes("has_assumerole_privilege"));
    expect(call?.args[0].input.Parameters).toEqual([
      { name: "user_name", value: "IAMR:sales-pipeline-dev-AwaitLoadRole-Q1W2E3R4T5Y6" },
      {
        name: "role_arn",
        value: "arn:aws:iam::123456789012:role/sales-pipeline-dev-WarehouseCopyRole-A1S2D3F4G5H6",
      },
    ]);
  });

  it("fails when the ledger lacks a migration or holds another checksum", async () => {
    const records = answers.schema_migrations?.records ?? [];
    records.pop();
    if (records[0]) records[0][1] = str("0".repeat(64));
    const result = (await run())["migrations ledger"];
    expect(result?.status).toBe("fail");
    expect(result?.detail).toContain(`not applied: ${expect_.migrations.at(-1)?.version}`);
    expect(result?.detail).toContain(`other checksum: ${expect_.migrations[0]?.version}`);
  });

  it("fails when pipeline_runtime could not LOCK a table (no UPDATE/DELETE)", async () => {
    const privileges = answers.svv_relation_privileges;
    if (privileges) {
      privileges.records = privileges.records.filter(
        (r) =>
          !(r[1]?.stringValue === "fact_sales" && ["UPDATE", "DELETE"].includes(r[2]?.stringValue ?? "")),
      );
    }
    const result = (await run())["merge grants (incl. LOCK)"];
    expect(result).toMatchObject({
      status: "fail",
      detail: "pipeline_runtime lacks star.fact_sales (UPDATE, DELETE)",
    });
  });

  it("fails on an EMR release other than the one the job is tested against, and on a missing RAW notification", async () => {
    emr.on(GetApplicationCommand).resolves({
      application: {
        ...recorded<{ application: Record<string, unknown> }>("get-application").application,
        releaseLabel: "emr-7.5.0",
      } as never,
    });
    s3.on(GetBucketNotificationConfigurationCommand).resolves({});
    const results = await run();
    expect(results["EMR Serverless application"]).toMatchObject({
      status: "fail",
      detail: "00fp1q2r3s4t5u6v: STOPPED, emr-7.5.0 (expected emr-7.9.0)",
    });
    expect(results["raw bucket -> queue"]?.status).toBe("fail");
  });

  it("warns in dev, and fails in prod, while the alert subscription is pending confirmation", async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { SubscriptionArn: "PendingConfirmation", Protocol: "email", Endpoint: "me@example.com" },
      ],
    });
    expect((await run())["alert subscription confirmed"]).toMatchObject({
      status: "warn",
      detail: "pending: email:me@example.com",
    });
    expect_ = { ...expect_, stage: "prod" };
    expect((await run())["alert subscription confirmed"]?.status).toBe("fail");
  });

  it("reports each warehouse check as not checked when the admin secret cannot be found", async () => {
    serverless
      .on(GetNamespaceCommand)
      .resolves({ namespace: { namespaceName: "sales-pipeline-dev" } as never });
    const results = await run();
    for (const name of ["load bucket integration", "COPY JOBs AUTO ON", "migrations ledger"]) {
      expect(results[name]?.status, name).toBe("fail");
      expect(results[name]?.detail, name).toMatch(/^not checked: .*no managed admin secret/);
    }
    expect(results["EMR Serverless application"]?.status).toBe("pass");
  });

  it("stops after the first check when the stack is missing or rolled back", async () => {
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error("Stack with id sales-pipeline-dev does not exist"), {
        name: "ValidationError",
      }),
    );
    expect(Object.values(await run())).toEqual([
      expect.objectContaining({ name: "stack outputs", status: "fail" }),
    ]);
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: "sales-pipeline-dev", StackStatus: "UPDATE_ROLLBACK_COMPLETE" } as never],
    });
    const [only] = Object.values(await run());
    expect(only?.detail).toMatch(/UPDATE_ROLLBACK_COMPLETE; missing outputs: RawBucketName/);
    expect(only?.hint).toMatch(/describe-stack-events/);
  });
});
