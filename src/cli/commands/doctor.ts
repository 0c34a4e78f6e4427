import { join } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import type { CheckResult, DoctorClients } from "../../ops/doctor/index.js";
import { projectRoot } from "./shared.js";

/** `--stage dev|prod`: the doctor reads a deployed stage only. */
export const cloudStageOption = (): Option =>
  new Option("--stage <stage>", "the deployed stage to read: dev or prod")
    .argParser((value) => {
      if (value !== "dev" && value !== "prod") throw new InvalidArgumentError("dev or prod");
      return value;
    })
    .makeOptionMandatory();

/** The AWS clients of the doctor, in the operator's region and credentials (AWS_PROFILE, AWS_REGION). */
const awsClients = async (region: string | undefined): Promise<DoctorClients> => {
  const [
    { CloudFormationClient },
    { CloudWatchClient },
    { EMRServerlessClient },
    rs,
    { S3Client },
    { SNSClient },
    rd,
    rw,
  ] = await Promise.all([
    import("@aws-sdk/client-cloudformation"),
    import("@aws-sdk/client-cloudwatch"),
    import("@aws-sdk/client-emr-serverless"),
    import("@aws-sdk/client-redshift-serverless"),
    import("@aws-sdk/client-s3"),
    import("@aws-sdk/client-sns"),
    import("@aws-sdk/client-redshift-data"),
    import("../../adapters/aws/redshift-warehouse.js"),
  ]);
  const options = region ? { region } : {};
  const data = new rd.RedshiftDataClient(options);
  return {
    cloudFormation: new CloudFormationClient(options),
    cloudWatch: new CloudWatchClient(options),
    emr: new EMRServerlessClient(options),
    redshiftServerless: new rs.RedshiftServerlessClient(options),
    s3: new S3Client(options),
    sns: new SNSClient(options),
    warehouse: ({ workgroup, database, secretArn }) => {
      const warehouse = new rw.RedshiftWarehouse({
        client: data,
        workgroupName: workgroup,
        database,
        secretArn,
        sqlRoot: join(projectRoot(), "sql"),
        poll: { timeoutMs: 60_000 },
      });
      return {
        select: (sql, params = {}) => warehouse.select({ name: "doctor", sql }, params, "doctor"),
      };
    },
  };
};

export const registerDoctorCommand = (program: Command): void => {
  program
    .command("doctor")
    .description("read-only checks of a deployed stage, each with pass/fail and a hint (docs/deploy.md)")
    .addOption(cloudStageOption())
    .option("--region <region>", "AWS region of the stage (default: AWS_REGION, then your AWS config)")
    .option("--json", "print the results as JSON")
    .action(async (options: { stage: "dev" | "prod"; region?: string; json?: boolean }) => {
      const { expectations, formatReport, runDoctor } = await import("../../ops/doctor/index.js");
      const results: CheckResult[] = await runDoctor(
        await expectations(projectRoot(), options.stage),
        await awsClients(options.region ?? process.env.AWS_REGION),
      );
      process.stdout.write(options.json ? `${JSON.stringify(results, null, 2)}\n` : formatReport(results));
      if (results.some((r) => r.status === "fail")) process.exitCode = 2;
    });
};
