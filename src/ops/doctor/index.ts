import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { migrationPlan } from "../../warehouse/migrations.js";
import { SqlFiles } from "../../warehouse/sql-files.js";
import {
  adminReader,
  alarmsWired,
  attempt,
  copyJobsAuto,
  INTEGRATIONS_SQL,
  integrationEstablished,
  ledgerCurrent,
  loaderMayCopy,
  loaderOwnsJobs,
  mergeGrants,
  rawNotification,
  sparkApplication,
  stackOutputs,
  subscriptionConfirmed,
} from "./checks.js";
import type { CheckResult, DoctorClients, Expectations } from "./types.js";

export type { CheckResult, DoctorClients, Expectations, WarehouseReader } from "./types.js";

const ALARM_SUFFIXES = [
  "executions-failed",
  "executions-timed-out",
  "raw-events-dlq-not-empty",
  "run-record-failures",
  "data-quality-failures",
];

/**
 * What a deployed stage must look like, read from the repository the deploy was made from: the EMR release
 * label (infra/resources/spark.yml), the COPY JOBs (sql/copy-jobs), every migration's checksum (sql/), the alarms.
 *
 * @example
 *   const expect = await expectations(projectRoot(), "dev"); // { stackName: "sales-pipeline-dev", ... }
 */
export const expectations = async (root: string, stage: "dev" | "prod"): Promise<Expectations> => {
  const spark = await readFile(join(root, "infra/resources/spark.yml"), "utf8");
  const releaseLabel = /ReleaseLabel:\s*(\S+)/.exec(spark)?.[1] ?? "unknown";
  const files = new SqlFiles(join(root, "sql"));
  const copyJobs: string[] = [];
  for (const file of await files.folder("copy-jobs")) {
    const name = /JOB\s+CREATE\s+([a-z_][a-z0-9_]*)/i.exec(file.sql)?.[1];
    if (name) copyJobs.push(name.toLowerCase());
  }
  const migrations = (await migrationPlan(files)).map((m) => ({ version: m.version, checksum: m.checksum }));
  const prefix = `sales-pipeline-${stage}`;
  return {
    stage,
    stackName: prefix,
    releaseLabel,
    copyJobs: copyJobs.sort(),
    migrations,
    alarms: ALARM_SUFFIXES.map((suffix) => `${prefix}-${suffix}`),
  };
};

const WAREHOUSE_HINT =
  "the warehouse was not reachable as its admin: is the workgroup AVAILABLE, and may you call redshift-serverless:GetNamespace, secretsmanager:GetSecretValue (redshift!<namespace>-*) and the Data API?";

/**
 * Read-only checks of a deployed stage, in the order a file travels: the stack, RAW -> queue, the load bucket's
 * integration, the COPY JOBs and who owns them, the migrations, the merge's grants, Spark, the alarms. Every
 * check returns pass, warn or fail with a hint; a check that cannot run fails with what stopped it.
 *
 * @example
 *   const results = await runDoctor(await expectations(root, "dev"), clients);
 *   results.some((r) => r.status === "fail"); // false on a healthy stage
 */
export const runDoctor = async (expect: Expectations, clients: DoctorClients): Promise<CheckResult[]> => {
  let outputsCheck: Awaited<ReturnType<typeof stackOutputs>>;
  try {
    outputsCheck = await stackOutputs(clients, expect);
  } catch (error) {
    const shape = error as { name?: string; message?: string };
    return [
      {
        name: "stack outputs",
        status: "fail",
        detail: `${shape.name ?? "Error"}: ${shape.message ?? String(error)}`,
        hint: `no stack ${expect.stackName} in this account and region? check AWS_PROFILE and --region (AWS_REGION)`,
      },
    ];
  }
  const results: CheckResult[] = [outputsCheck.result];
  const outputs = outputsCheck.outputs;
  if (!outputs) return results;

  results.push(
    await attempt("raw bucket -> queue", "may you call s3:GetBucketNotification on the raw bucket?", () =>
      rawNotification(clients, outputs),
    ),
  );

  const warehouseChecks = [
    "load bucket integration",
    "COPY JOBs AUTO ON",
    "AwaitLoad sees its load history",
    "loader may COPY with the COPY role",
    "migrations ledger",
    "merge grants (incl. LOCK)",
  ];
  try {
    const sql = await adminReader(clients, outputs);
    const integrations = await sql.select(INTEGRATIONS_SQL);
    results.push(integrationEstablished(integrations, outputs));
    results.push(
      copyJobsAuto(await sql.select("SELECT TRIM(job_name) AS job_name, is_auto FROM sys_copy_job"), expect),
    );
    const loader = await sql.select("SELECT usesysid FROM pg_user WHERE usename = :user_name", {
      user_name: `IAMR:${outputs.WarehouseLoaderRoleName}`,
    });
    results.push(loaderOwnsJobs(integrations, loader, expect, outputs));
    results.push(
      loaderMayCopy(
        await sql.select("SELECT has_assumerole_privilege(:user_name, :role_arn, 'copy') AS ok", {
          user_name: `IAMR:${outputs.WarehouseLoaderRoleName}`,
          role_arn: outputs.WarehouseCopyRoleArn,
        }),
        outputs,
      ),
    );
    results.push(
      ledgerCurrent(await sql.select("SELECT version, checksum FROM ops.schema_migrations"), expect),
    );
    const tables = await sql.select(
      "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('staging', 'core', 'star', 'ops')",
    );
    const privileges = await sql.select(
      "SELECT TRIM(namespace_name) AS schema_name, TRIM(relation_name) AS table_name, TRIM(privilege_type) AS privilege " +
        "FROM svv_relation_privileges WHERE identity_type = 'role' AND identity_name = 'pipeline_runtime'",
    );
    results.push(mergeGrants(tables, privileges));
  } catch (error) {
    const shape = error as { name?: string; message?: string };
    const done = new Set(results.map((r) => r.name));
    for (const name of warehouseChecks.filter((n) => !done.has(n))) {
      results.push({
        name,
        status: "fail",
        detail: `not checked: ${shape.name ?? "Error"}: ${shape.message ?? String(error)}`,
        hint: WAREHOUSE_HINT,
      });
    }
  }

  results.push(
    await attempt("EMR Serverless application", "may you call emr-serverless:GetApplication?", () =>
      sparkApplication(clients, outputs, expect),
    ),
  );
  results.push(
    await attempt("alarms -> alert topic", "may you call cloudwatch:DescribeAlarms?", () =>
      alarmsWired(clients, outputs, expect),
    ),
  );
  results.push(
    await attempt("alert subscription confirmed", "may you call sns:ListSubscriptionsByTopic?", () =>
      subscriptionConfirmed(clients, outputs, expect),
    ),
  );
  return results;
};

/** The report an operator reads: one line per check, its hint under a failure or warning. */
export const formatReport = (results: readonly CheckResult[]): string => {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.status.toUpperCase().padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.status !== "pass" && r.hint) lines.push(`${" ".repeat(6 + width)}  hint: ${r.hint}`);
  }
  const failed = results.filter((r) => r.status === "fail").length;
  const warned = results.filter((r) => r.status === "warn").length;
  lines.push(
    failed
      ? `${failed} check(s) failed, ${warned} warning(s)`
      : `all ${results.length} checks passed${warned ? ` (${warned} warning(s))` : ""}`,
  );
  return `${lines.join("\n")}\n`;
};
