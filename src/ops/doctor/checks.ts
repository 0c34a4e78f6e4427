import { DescribeStacksCommand, type Output } from "@aws-sdk/client-cloudformation";
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { GetApplicationCommand } from "@aws-sdk/client-emr-serverless";
import { GetNamespaceCommand } from "@aws-sdk/client-redshift-serverless";
import { GetBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import type { Row } from "../../ports/warehouse.js";
import type { CheckResult, DoctorClients, Expectations, WarehouseReader } from "./types.js";

/** The stack outputs the checks (and an operator) rely on. */
export const REQUIRED_OUTPUTS = [
  "RawBucketName",
  "LoadBucketName",
  "StateMachineArn",
  "SparkApplicationId",
  "WarehouseWorkgroupName",
  "WarehouseDatabaseName",
  "WarehouseNamespaceName",
  "WarehouseLoaderRoleName",
  "WarehouseCopyRoleArn",
  "AlertTopicArn",
  "RawEventsQueueArn",
] as const;
export type StackOutputs = Record<(typeof REQUIRED_OUTPUTS)[number], string>;

const pass = (name: string, detail: string): CheckResult => ({ name, status: "pass", detail });
const fail = (name: string, detail: string, hint: string): CheckResult => ({
  name,
  status: "fail",
  detail,
  hint,
});
const warn = (name: string, detail: string, hint: string): CheckResult => ({
  name,
  status: "warn",
  detail,
  hint,
});

/** Runs one check; an error it throws (access denied, missing resource) is its failure, with the check's hint. */
export const attempt = async (
  name: string,
  hint: string,
  check: () => Promise<CheckResult>,
): Promise<CheckResult> => {
  try {
    return await check();
  } catch (error) {
    const shape = error as { name?: string; message?: string };
    return fail(name, `${shape.name ?? "Error"}: ${shape.message ?? String(error)}`, hint);
  }
};

/** The stack exists, is in a stable COMPLETE state, and has every output the pipeline's tools read. */
export const stackOutputs = async (
  clients: DoctorClients,
  expect: Expectations,
): Promise<{ result: CheckResult; outputs?: StackOutputs }> => {
  const name = "stack outputs";
  const { Stacks } = await clients.cloudFormation.send(
    new DescribeStacksCommand({ StackName: expect.stackName }),
  );
  const stack = Stacks?.[0];
  if (!stack) {
    return {
      result: fail(
        name,
        `no stack ${expect.stackName}`,
        `deploy it: npx serverless deploy --stage ${expect.stage}`,
      ),
    };
  }
  const status = String(stack.StackStatus);
  const values = new Map((stack.Outputs ?? []).map((o: Output) => [o.OutputKey ?? "", o.OutputValue ?? ""]));
  const missing = REQUIRED_OUTPUTS.filter((key) => !values.get(key));
  if (!/_COMPLETE$/.test(status) || /ROLLBACK|DELETE/.test(status) || missing.length > 0) {
    return {
      result: fail(
        name,
        `${expect.stackName} is ${status}${missing.length ? `; missing outputs: ${missing.join(", ")}` : ""}`,
        status.includes("ROLLBACK")
          ? "read the first failed event: aws cloudformation describe-stack-events (docs/deploy.md, troubleshooting)"
          : `deploy the current template: npx serverless deploy --stage ${expect.stage}`,
      ),
    };
  }
  const outputs = Object.fromEntries(
    REQUIRED_OUTPUTS.map((key) => [key, values.get(key) ?? ""]),
  ) as StackOutputs;
  return { result: pass(name, `${expect.stackName} ${status}, ${REQUIRED_OUTPUTS.length} outputs`), outputs };
};

/** RAW's ObjectCreated events go to the raw-events queue (the only way a dropped file starts a run). */
export const rawNotification = async (
  clients: DoctorClients,
  outputs: StackOutputs,
): Promise<CheckResult> => {
  const name = "raw bucket -> queue";
  const config = await clients.s3.send(
    new GetBucketNotificationConfigurationCommand({ Bucket: outputs.RawBucketName }),
  );
  const wired = (config.QueueConfigurations ?? []).some(
    (q) => q.QueueArn === outputs.RawEventsQueueArn && (q.Events ?? []).includes("s3:ObjectCreated:*"),
  );
  return wired
    ? pass(name, `s3:ObjectCreated:* of ${outputs.RawBucketName} -> ${outputs.RawEventsQueueArn}`)
    : fail(
        name,
        `${outputs.RawBucketName} sends no s3:ObjectCreated:* event to ${outputs.RawEventsQueueArn}`,
        "the notification is part of RawBucket in the stack: redeploy, and never edit it by hand",
      );
};

/** The admin's reader: the namespace's managed secret (GetNamespace), handed to the Data API by ARN. */
export const adminReader = async (
  clients: DoctorClients,
  outputs: StackOutputs,
): Promise<WarehouseReader> => {
  const { namespace } = await clients.redshiftServerless.send(
    new GetNamespaceCommand({ namespaceName: outputs.WarehouseNamespaceName }),
  );
  const secretArn = namespace?.adminPasswordSecretArn;
  if (!secretArn) throw new Error(`namespace ${outputs.WarehouseNamespaceName} has no managed admin secret`);
  return clients.warehouse({
    workgroup: outputs.WarehouseWorkgroupName,
    database: outputs.WarehouseDatabaseName,
    secretArn,
  });
};

const text = (row: Row, key: string): string => String(row[key] ?? "").trim();

/** SVV_COPY_JOB_INTEGRATIONS: one row per COPY JOB on an S3 event integration (admin sees every owner's). */
export const INTEGRATIONS_SQL = "SELECT * FROM svv_copy_job_integrations WHERE db_name = current_database()";

/** The column holding the channel's state (documented as "channel state"; matched loosely). */
const channelState = (row: Row): string => {
  const key = Object.keys(row).find((k) => /channel.?state/i.test(k));
  return key ? text(row, key) : "";
};

/** The LOAD bucket's S3 event integration is Established for every COPY JOB. */
export const integrationEstablished = (rows: readonly Row[], outputs: StackOutputs): CheckResult => {
  const name = "load bucket integration";
  const mine = rows.filter((row) => text(row, "bucket") === outputs.LoadBucketName);
  if (mine.length === 0) {
    return fail(
      name,
      `no S3 event integration of ${outputs.LoadBucketName} in SVV_COPY_JOB_INTEGRATIONS`,
      "check LoadBucketIntegration in the stack and that the COPY JOBs exist (next check); then redeploy",
    );
  }
  const states = [...new Set(mine.map(channelState))];
  return states.length === 1 && states[0] === "Established"
    ? pass(name, `${outputs.LoadBucketName}: Established (${mine.length} COPY JOBs)`)
    : fail(
        name,
        `${outputs.LoadBucketName}: ${states.join(", ") || "unknown"}`,
        "Pending: wait a few minutes after the deploy; Inactive: the bucket policy or the namespace resource policy changed, redeploy",
      );
};

/** Every COPY JOB of sql/copy-jobs exists and runs automatically (AUTO ON). */
export const copyJobsAuto = (rows: readonly Row[], expect: Expectations): CheckResult => {
  const name = "COPY JOBs AUTO ON";
  const found = new Map(rows.map((row) => [text(row, "job_name"), Number(row.is_auto)]));
  const missing = expect.copyJobs.filter((job) => !found.has(job));
  const manual = expect.copyJobs.filter((job) => found.has(job) && found.get(job) !== 1);
  if (missing.length === 0 && manual.length === 0) {
    return pass(name, `${expect.copyJobs.length} jobs: ${expect.copyJobs.join(", ")}`);
  }
  return fail(
    name,
    [
      missing.length ? `missing: ${missing.join(", ")}` : "",
      manual.length ? `AUTO OFF: ${manual.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; "),
    "missing: the migrations did not finish (CloudFormation events of WarehouseMigrations); AUTO OFF: COPY JOB ALTER <name> AUTO ON",
  );
};

/**
 * The COPY JOBs belong to the loader user AwaitLoad signs in as (IAMR:<loader role>), so it sees their load
 * history: SYS_COPY_JOB_DETAIL shows a regular user its own rows only.
 */
export const loaderOwnsJobs = (
  integrations: readonly Row[],
  loader: readonly Row[],
  expect: Expectations,
  outputs: StackOutputs,
): CheckResult => {
  const name = "AwaitLoad sees its load history";
  const user = `IAMR:${outputs.WarehouseLoaderRoleName}`;
  const id = loader[0]?.usesysid;
  if (id === undefined || id === null) {
    return fail(
      name,
      `no database user ${user}`,
      "the migrations create the COPY JOBs as this user; rerun them (redeploy) and read migrate-warehouse's log",
    );
  }
  const owners = new Map(integrations.map((row) => [text(row, "job_name"), String(row.job_owner)]));
  const others = expect.copyJobs.filter((job) => owners.has(job) && owners.get(job) !== String(id));
  if (others.length > 0) {
    return fail(
      name,
      `owned by another user than ${user}: ${others.join(", ")}`,
      "AwaitLoad would never see these jobs' files (LoadTimeout): drop them as the admin (COPY JOB DROP) and redeploy",
    );
  }
  return pass(name, `every COPY JOB belongs to ${user} (user id ${String(id)})`);
};

/**
 * The loader may run COPY with the COPY role: a COPY JOB runs as its owner, and Redshift grants ASSUMEROLE on
 * attached roles to PUBLIC unless someone revoked it (then: GRANT ASSUMEROLE ... FOR COPY).
 */
export const loaderMayCopy = (rows: readonly Row[], outputs: StackOutputs): CheckResult => {
  const name = "loader may COPY with the COPY role";
  const user = `IAMR:${outputs.WarehouseLoaderRoleName}`;
  const ok = rows[0]?.ok;
  return ok === true || ok === "t" || ok === "true"
    ? pass(name, `${user} may assume ${outputs.WarehouseCopyRoleArn} for COPY`)
    : fail(
        name,
        `${user} may not assume ${outputs.WarehouseCopyRoleArn} for COPY`,
        `as the admin, outside a transaction: GRANT ASSUMEROLE ON '${outputs.WarehouseCopyRoleArn}' TO ROLE pipeline_loader FOR COPY`,
      );
};

/** ops.schema_migrations holds every migration of the repository, at its checksum. */
export const ledgerCurrent = (rows: readonly Row[], expect: Expectations): CheckResult => {
  const name = "migrations ledger";
  const ledger = new Map(rows.map((row) => [text(row, "version"), text(row, "checksum")]));
  const missing = expect.migrations.filter((m) => !ledger.has(m.version)).map((m) => m.version);
  const changed = expect.migrations
    .filter((m) => ledger.has(m.version) && ledger.get(m.version) !== m.checksum)
    .map((m) => m.version);
  if (missing.length === 0 && changed.length === 0) {
    return pass(name, `${expect.migrations.length} migrations at the repository's checksums`);
  }
  return fail(
    name,
    [
      missing.length
        ? `not applied: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}`
        : "",
      changed.length ? `other checksum: ${changed.slice(0, 5).join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; "),
    "deploy from this commit (the WarehouseMigrations custom resource applies what is missing); an applied file never changes",
  );
};

const MERGE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;

/**
 * pipeline_runtime holds SELECT, INSERT, UPDATE and DELETE on every table of staging, core, star and ops: the
 * merge writes them and LOCKs them (LOCK needs UPDATE or DELETE).
 */
export const mergeGrants = (tables: readonly Row[], privileges: readonly Row[]): CheckResult => {
  const name = "merge grants (incl. LOCK)";
  const held = new Set(
    privileges.map(
      (row) => `${text(row, "schema_name")}.${text(row, "table_name")}:${text(row, "privilege")}`,
    ),
  );
  const missing: string[] = [];
  for (const row of tables) {
    const table = `${text(row, "schemaname")}.${text(row, "tablename")}`;
    const lacking = MERGE_PRIVILEGES.filter((p) => !held.has(`${table}:${p}`));
    if (lacking.length) missing.push(`${table} (${lacking.join(", ")})`);
  }
  if (tables.length === 0) {
    return fail(name, "no table in staging, core, star or ops", "the migrations have not run: redeploy");
  }
  return missing.length === 0
    ? pass(name, `pipeline_runtime: ${MERGE_PRIVILEGES.join(", ")} on ${tables.length} tables`)
    : fail(
        name,
        `pipeline_runtime lacks ${missing.slice(0, 5).join("; ")}${missing.length > 5 ? "; ..." : ""}`,
        "as the admin: GRANT SELECT, INSERT, UPDATE, DELETE ON <table> TO ROLE pipeline_runtime (073's default privileges cover tables the migrations create)",
      );
};

/** The Spark application exists, is usable, and runs the release the job is tested against. */
export const sparkApplication = async (
  clients: DoctorClients,
  outputs: StackOutputs,
  expect: Expectations,
): Promise<CheckResult> => {
  const name = "EMR Serverless application";
  const { application } = await clients.emr.send(
    new GetApplicationCommand({ applicationId: outputs.SparkApplicationId }),
  );
  const state = String(application?.state);
  const label = String(application?.releaseLabel);
  const usable = ["CREATED", "STARTING", "STARTED", "STOPPING", "STOPPED"].includes(state);
  if (usable && label === expect.releaseLabel)
    return pass(name, `${outputs.SparkApplicationId}: ${state}, ${label}`);
  return fail(
    name,
    `${outputs.SparkApplicationId}: ${state}, ${label} (expected ${expect.releaseLabel})`,
    usable
      ? "the release label must match the pyspark pin (infra/resources/spark.yml): redeploy"
      : "TERMINATED or CREATING: wait for CREATED, or redeploy to recreate it",
  );
};

/** Every alarm exists and pages the alert topic; a firing one is reported. */
export const alarmsWired = async (
  clients: DoctorClients,
  outputs: StackOutputs,
  expect: Expectations,
): Promise<CheckResult> => {
  const name = "alarms -> alert topic";
  const { MetricAlarms } = await clients.cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [...expect.alarms] }),
  );
  const byName = new Map((MetricAlarms ?? []).map((alarm) => [alarm.AlarmName ?? "", alarm]));
  const missing = expect.alarms.filter((a) => !byName.has(a));
  const unwired = expect.alarms.filter(
    (a) => byName.has(a) && !(byName.get(a)?.AlarmActions ?? []).includes(outputs.AlertTopicArn),
  );
  if (missing.length || unwired.length) {
    return fail(
      name,
      [
        missing.length ? `missing: ${missing.join(", ")}` : "",
        unwired.length ? `not paging the topic: ${unwired.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; "),
      "the alarms are part of the stack: redeploy",
    );
  }
  const firing = expect.alarms.filter((a) => byName.get(a)?.StateValue === "ALARM");
  return firing.length
    ? warn(
        name,
        `${expect.alarms.length} alarms wired; in ALARM: ${firing.join(", ")}`,
        "pipeline runs --stage <stage>, and the DLQ for raw events (docs/deploy.md, troubleshooting)",
      )
    : pass(name, `${expect.alarms.length} alarms, all paging ${outputs.AlertTopicArn}`);
};

/** Someone confirmed the alert subscription (required in prod, where the deploy asks for an address). */
export const subscriptionConfirmed = async (
  clients: DoctorClients,
  outputs: StackOutputs,
  expect: Expectations,
): Promise<CheckResult> => {
  const name = "alert subscription confirmed";
  const { Subscriptions } = await clients.sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: outputs.AlertTopicArn }),
  );
  const all = Subscriptions ?? [];
  const confirmed = all.filter((s) => (s.SubscriptionArn ?? "").startsWith("arn:"));
  if (confirmed.length > 0) {
    return pass(name, confirmed.map((s) => `${s.Protocol}:${s.Endpoint}`).join(", "));
  }
  const detail = all.length
    ? `pending: ${all.map((s) => `${s.Protocol}:${s.Endpoint}`).join(", ")}`
    : "no subscription";
  const hint = all.length
    ? "open the confirmation email AWS sent to that address (it expires after 3 days; redeploy to resend)"
    : `deploy with --param="alarmEmail=<address>"`;
  return expect.stage === "prod" ? fail(name, detail, hint) : warn(name, detail, hint);
};
