import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from "@aws-sdk/client-redshift-data";
import { GetNamespaceCommand, RedshiftServerlessClient } from "@aws-sdk/client-redshift-serverless";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handler } from "../../functions/migrate-warehouse/handler.js";
import { TransientError } from "../../src/errors.js";
import type { MigrationReport } from "../../src/ports/warehouse.js";
import {
  type CustomResourceEvent,
  type CustomResourceResponse,
  migrationConfig,
  migrationResource,
  putResponse,
} from "../../src/warehouse/custom-resource.js";
import { migrationPlan } from "../../src/warehouse/migrations.js";
import { SqlFiles } from "../../src/warehouse/sql-files.js";
import { SQL_ROOT } from "./support/warehouse.js";

const event = (
  type: "Create" | "Update" | "Delete",
  extra: Partial<CustomResourceEvent> = {},
): CustomResourceEvent => ({
  RequestType: type,
  ResponseURL:
    "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/signed?X-Amz-Signature=abc",
  StackId: "arn:aws:cloudformation:eu-west-1:123456789012:stack/sales-pipeline-dev/1",
  RequestId: "request-1",
  LogicalResourceId: "WarehouseMigrations",
  ResourceType: "Custom::WarehouseMigrations",
  ResourceProperties: { MigrationsChecksum: "abc" },
  ...extra,
});
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const report: MigrationReport = {
  applied: ["ddl/000_ops_schema.sql"],
  unchanged: ["ddl/001_x.sql", "ddl/002_y.sql"],
  adopted: [],
};

describe("migrationResource", () => {
  it("runs the migrations on Create and Update and answers SUCCESS with what it applied", async () => {
    for (const type of ["Create", "Update"] as const) {
      const sent: CustomResourceResponse[] = [];
      const migrate = vi.fn(async () => report);
      const response = await migrationResource(
        event(type, type === "Update" ? { PhysicalResourceId: "existing-id" } : {}),
        { migrate, log, physicalResourceId: "new-id", respond: async (_url, body) => void sent.push(body) },
      );
      expect(migrate).toHaveBeenCalledWith({ MigrationsChecksum: "abc" });
      expect(sent).toEqual([response]);
      expect(response).toEqual({
        Status: "SUCCESS",
        PhysicalResourceId: type === "Update" ? "existing-id" : "new-id",
        StackId: "arn:aws:cloudformation:eu-west-1:123456789012:stack/sales-pipeline-dev/1",
        RequestId: "request-1",
        LogicalResourceId: "WarehouseMigrations",
        NoEcho: false,
        Data: { Applied: "1", Adopted: "0", Unchanged: "2" },
      });
    }
  });

  it("never touches the warehouse on Delete", async () => {
    const migrate = vi.fn(async () => report);
    const response = await migrationResource(event("Delete", { PhysicalResourceId: "existing-id" }), {
      migrate,
      log,
      physicalResourceId: "new-id",
      respond: async () => undefined,
    });
    expect(migrate).not.toHaveBeenCalled();
    expect(response).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: "existing-id" });
  });

  it("answers FAILED with the error when the migrations fail", async () => {
    const sent: CustomResourceResponse[] = [];
    const response = await migrationResource(event("Create"), {
      migrate: async () => {
        throw Object.assign(
          new Error("migration ddl/011_staging_customers.sql was applied with checksum a"),
          {
            name: "MigrationChecksumError",
          },
        );
      },
      log,
      physicalResourceId: "new-id",
      respond: async (_url, body) => void sent.push(body),
    });
    expect(sent).toEqual([response]);
    expect(response).toMatchObject({
      Status: "FAILED",
      PhysicalResourceId: "new-id",
      Reason: "MigrationChecksumError: migration ddl/011_staging_customers.sql was applied with checksum a",
    });
  });
});

describe("putResponse", () => {
  it("PUTs the JSON body with an empty content type, as cfn-response does", async () => {
    const fetchImpl = vi.fn(async () => new Response(null, { status: 200 }));
    const body: CustomResourceResponse = {
      Status: "SUCCESS",
      PhysicalResourceId: "id",
      StackId: "stack",
      RequestId: "request",
      LogicalResourceId: "logical",
      NoEcho: false,
    };
    await putResponse("https://example.com/signed", body, fetchImpl as unknown as typeof fetch);
    const text = JSON.stringify(body);
    expect(fetchImpl).toHaveBeenCalledWith("https://example.com/signed", {
      method: "PUT",
      body: text,
      headers: { "content-type": "", "content-length": String(text.length) },
    });
    const failing = vi.fn(async () => new Response(null, { status: 403, statusText: "Forbidden" }));
    await expect(
      putResponse("https://example.com/x", body, failing as unknown as typeof fetch),
    ).rejects.toBeInstanceOf(TransientError);
  });
});

describe("migrationConfig", () => {
  const env = {
    WAREHOUSE_WORKGROUP: "env-wg",
    WAREHOUSE_DATABASE: "sales",
    WAREHOUSE_NAMESPACE: "sales-pipeline-dev",
    LOAD_BUCKET: "env-load",
    COPY_ROLE_ARN: "arn:aws:iam::123456789012:role/env",
    LOADER_ROLE_ARN: "arn:aws:iam::123456789012:role/env-loader",
  };

  it("takes the resource properties first, then the environment", () => {
    expect(
      migrationConfig(
        {
          Workgroup: "prop-wg",
          LoadBucket: "prop-load",
          LoaderRoleArn: "arn:aws:iam::123456789012:role/prop-loader",
        },
        env,
      ),
    ).toEqual({
      workgroupName: "prop-wg",
      database: "sales",
      namespace: "sales-pipeline-dev",
      loadBucket: "prop-load",
      copyRoleArn: "arn:aws:iam::123456789012:role/env",
      loaderRoleArn: "arn:aws:iam::123456789012:role/prop-loader",
    });
  });

  it("names what is missing", () => {
    expect(() => migrationConfig({}, { ...env, WAREHOUSE_NAMESPACE: undefined })).toThrow(/namespace/);
    expect(() => migrationConfig({ Database: "Bad-Name" }, env)).toThrow(/database/);
    expect(() => migrationConfig({}, { ...env, LOADER_ROLE_ARN: undefined })).toThrow(/loaderRoleArn/);
  });
});

describe("the migrate-warehouse handler", () => {
  const data = mockClient(RedshiftDataClient);
  const serverless = mockClient(RedshiftServerlessClient);
  const puts: { url: string; body: CustomResourceResponse }[] = [];
  const secretArn =
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift!sales-pipeline-dev-admin-AbCd";

  beforeEach(() => {
    data.reset();
    serverless.reset();
    puts.length = 0;
    vi.stubEnv("SQL_ROOT", SQL_ROOT);
    vi.stubEnv("WAREHOUSE_NAMESPACE", "sales-pipeline-dev");
    vi.stubEnv("WAREHOUSE_WORKGROUP", "sales-pipeline-dev");
    vi.stubEnv("WAREHOUSE_DATABASE", "sales");
    vi.stubEnv("LOAD_BUCKET", "sales-pipeline-dev-load");
    vi.stubEnv("COPY_ROLE_ARN", "arn:aws:iam::123456789012:role/sales-pipeline-dev-copy");
    vi.stubEnv("LOADER_ROLE_ARN", "arn:aws:iam::123456789012:role/sales-pipeline-dev-AwaitLoadRole-X");
    vi.stubGlobal("fetch", async (url: string, init: { body: string }) => {
      puts.push({ url, body: JSON.parse(init.body) });
      return new Response(null, { status: 200 });
    });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
  });

  it("runs the migrations as the namespace's admin and answers CloudFormation", async () => {
    const plan = await migrationPlan(new SqlFiles(SQL_ROOT));
    serverless.on(GetNamespaceCommand).resolves({
      namespace: { namespaceName: "sales-pipeline-dev", adminPasswordSecretArn: secretArn },
    });
    let next = 0;
    data.on(ExecuteStatementCommand).callsFake(() => ({ Id: `statement-${++next}` }));
    data.on(DescribeStatementCommand).callsFake(({ Id }: { Id: string }) => ({
      Id,
      Status: "FINISHED",
      HasResultSet: Id === "statement-3",
    }));
    data.on(GetStatementResultCommand).resolves({
      ColumnMetadata: [{ name: "version" }, { name: "checksum" }],
      Records: plan.map((m) => [{ stringValue: m.version }, { stringValue: m.checksum }]),
    });
    const context = {
      functionName: "sales-pipeline-dev-migrate-warehouse",
      awsRequestId: "lambda-request",
      getRemainingTimeInMillis: () => 890_000,
    } as unknown as Context;

    const response = await handler(
      event("Create", { ResourceProperties: { MigrationsChecksum: "abc" } }),
      context,
    );

    expect(serverless.commandCalls(GetNamespaceCommand).map((call) => call.args[0].input)).toEqual([
      { namespaceName: "sales-pipeline-dev" },
    ]);
    const executed = data.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input);
    expect(
      executed.map(({ WorkgroupName, Database, SecretArn, StatementName }) => ({
        WorkgroupName,
        Database,
        SecretArn,
        StatementName,
      })),
    ).toEqual(
      ["migrate:ddl/000_ops_schema.sql", "migrate:ddl/001_ops_schema_migrations.sql", "migrate:ledger"].map(
        (name) => ({
          WorkgroupName: "sales-pipeline-dev",
          Database: "sales",
          SecretArn: secretArn,
          StatementName: name,
        }),
      ),
    );
    expect(puts).toEqual([
      {
        url: event("Create").ResponseURL,
        body: {
          Status: "SUCCESS",
          PhysicalResourceId: "warehouse-migrations-WarehouseMigrations",
          StackId: event("Create").StackId,
          RequestId: "request-1",
          LogicalResourceId: "WarehouseMigrations",
          NoEcho: false,
          Data: { Applied: "0", Adopted: "0", Unchanged: String(plan.length) },
        },
      },
    ]);
    expect(response).toEqual(puts[0]?.body);
  });

  it("answers FAILED when the namespace has no admin secret", async () => {
    serverless.on(GetNamespaceCommand).resolves({ namespace: { namespaceName: "sales-pipeline-dev" } });
    const context = { getRemainingTimeInMillis: () => 890_000 } as unknown as Context;
    await handler(
      event("Update", { PhysicalResourceId: "warehouse-migrations-WarehouseMigrations" }),
      context,
    );
    expect(puts.map((put) => [put.body.Status, put.body.Reason])).toEqual([
      ["FAILED", "ValidationError: namespace sales-pipeline-dev has no managed admin secret"],
    ]);
    expect(data.calls()).toHaveLength(0);
  });
});
