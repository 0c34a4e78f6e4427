import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { ValidationError } from "../../errors.js";
import type { SmokeDeps } from "../../ops/smoke/index.js";
import { projectRoot } from "./shared.js";

const outputsOf = async (
  region: Record<string, string>,
  stackName: string,
): Promise<Record<string, string>> => {
  const { CloudFormationClient, DescribeStacksCommand } = await import("@aws-sdk/client-cloudformation");
  const { Stacks } = await new CloudFormationClient(region).send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  return Object.fromEntries(
    (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]),
  );
};

/** S3, Step Functions and the warehouse (as its admin) of a deployed stage, as the smoke test uses them. */
const awsDeps = async (stage: string, regionName: string | undefined): Promise<Omit<SmokeDeps, "say">> => {
  const region: Record<string, string> = regionName ? { region: regionName } : {};
  const outputs = await outputsOf(region, `sales-pipeline-${stage}`);
  for (const key of [
    "RawBucketName",
    "StateMachineArn",
    "WarehouseNamespaceName",
    "WarehouseWorkgroupName",
  ]) {
    if (!outputs[key])
      throw new ValidationError(
        `stack sales-pipeline-${stage} has no output ${key}: run pipeline doctor --stage ${stage}`,
      );
  }
  const s3sdk = await import("@aws-sdk/client-s3");
  const sfn = await import("@aws-sdk/client-sfn");
  const rs = await import("@aws-sdk/client-redshift-serverless");
  const { RedshiftDataClient } = await import("@aws-sdk/client-redshift-data");
  const { RedshiftWarehouse } = await import("../../adapters/aws/redshift-warehouse.js");
  const s3 = new s3sdk.S3Client(region);
  const states = new sfn.SFNClient(region);
  const { namespace } = await new rs.RedshiftServerlessClient(region).send(
    new rs.GetNamespaceCommand({ namespaceName: outputs.WarehouseNamespaceName }),
  );
  if (!namespace?.adminPasswordSecretArn)
    throw new ValidationError("the namespace has no managed admin secret");
  const warehouse = new RedshiftWarehouse({
    client: new RedshiftDataClient(region),
    workgroupName: outputs.WarehouseWorkgroupName ?? "",
    database: outputs.WarehouseDatabaseName ?? "sales",
    secretArn: namespace.adminPasswordSecretArn,
    sqlRoot: join(projectRoot(), "sql"),
  });
  const bucket = outputs.RawBucketName ?? "";
  const since = new Date(Date.now() - 60_000);
  return {
    putRaw: async (key, body) => {
      await s3.send(
        new s3sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "text/csv" }),
      );
    },
    deleteRawVersions: async (key) => {
      const listed = await s3.send(new s3sdk.ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
      const versions = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])]
        .filter((v) => v.Key === key && v.VersionId)
        .map((v) => ({ Key: key, VersionId: v.VersionId as string }));
      if (versions.length) {
        await s3.send(
          new s3sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: versions, Quiet: true } }),
        );
      }
      return versions.length;
    },
    findRun: async (key) => {
      const { executions } = await states.send(
        new sfn.ListExecutionsCommand({ stateMachineArn: outputs.StateMachineArn, maxResults: 50 }),
      );
      for (const execution of executions ?? []) {
        if (!execution.startDate || execution.startDate < since) continue;
        const described = await states.send(
          new sfn.DescribeExecutionCommand({ executionArn: execution.executionArn }),
        );
        if ((described.input ?? "").includes(JSON.stringify(key))) {
          return { runId: described.name ?? "", status: String(described.status) };
        }
      }
      return undefined;
    },
    select: (statement, params) => warehouse.select(statement, params, statement.name),
    transaction: (statements, params) => warehouse.transaction(statements, params, "smoke:cleanup"),
    sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
    now: () => new Date(),
  };
};

export const registerSmokeCommand = (program: Command): void => {
  program
    .command("smoke")
    .description(
      "drop a canary (1 customer, 1 order, date 2010-01-01, ids smoke-*) into a deployed stage, wait for its run, check the star schema and ops.runs, then remove the canary rows and files",
    )
    .addOption(
      new Option("--stage <stage>", "the deployed stage: dev (prod only with --prod-ok)")
        .argParser((value) => {
          if (value !== "dev" && value !== "prod") throw new InvalidArgumentError("dev or prod");
          return value;
        })
        .makeOptionMandatory(),
    )
    .option("--prod-ok", "allow --stage prod (the canary is removed afterwards; see docs/deploy.md)")
    .option("--region <region>", "AWS region of the stage (default: AWS_REGION, then your AWS config)")
    .option("--timeout <minutes>", "how long to wait for the run", "30")
    .option("--keep", "leave the canary rows and files in place")
    .option("--cleanup <nonce>", "only remove the canary of an earlier run (its smoke-... nonce)")
    .action(
      async (options: {
        stage: "dev" | "prod";
        prodOk?: boolean;
        region?: string;
        timeout: string;
        keep?: boolean;
        cleanup?: string;
      }) => {
        if (options.stage === "prod" && !options.prodOk) {
          throw new ValidationError(
            "pipeline smoke on prod needs --prod-ok (docs/deploy.md says what it touches)",
          );
        }
        const smoke = await import("../../ops/smoke/index.js");
        const say = (line: string) => process.stdout.write(`${line}\n`);
        const deps = { ...(await awsDeps(options.stage, options.region ?? process.env.AWS_REGION)), say };
        if (options.cleanup) {
          await smoke.cleanUp(smoke.idsFromNonce(options.cleanup), "", deps, { keep: false });
          return;
        }
        const ids = smoke.canaryIds(new Date(), randomBytes(3).toString("hex"));
        say(`canary ${ids.nonce}`);
        try {
          await smoke.runSmoke(ids, deps, {
            timeoutMs: Number(options.timeout) * 60_000,
            pollMs: 10_000,
            keep: options.keep === true,
          });
          say("smoke test passed");
        } catch (error) {
          if (error instanceof smoke.SmokeTestError) {
            process.stderr.write(`smoke test failed: ${error.message}\n`);
            process.exitCode = 2;
            return;
          }
          throw error;
        }
      },
    );
};
