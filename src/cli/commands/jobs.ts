import { EMRServerlessClient } from "@aws-sdk/client-emr-serverless";
import type { Command } from "commander";
import { EmrServerlessSparkRunner } from "../../adapters/aws/emr-serverless-spark-runner.js";
import { required } from "../../config/index.js";
import { stageOption } from "../stage-option.js";
import { cloudApp, isLocal, runReader, table } from "./shared.js";

const emrFor = async (stage: string): Promise<EmrServerlessSparkRunner> => {
  const app = await cloudApp(stage);
  const emr = required(app.config.emr, "EMR_APPLICATION_ID and EMR_JOB_ROLE_ARN");
  return new EmrServerlessSparkRunner(new EMRServerlessClient({ region: app.config.region }), {
    applicationId: emr.applicationId,
    jobRoleArn: emr.jobRoleArn,
    artifactsBucket: app.config.buckets.artifacts,
  });
};

export const registerJobsCommand = (program: Command): void => {
  const jobs = program
    .command("jobs")
    .description("Spark job runs (EMR Serverless in dev/prod; the local runner's in local)");
  jobs
    .command("list")
    .description("recent job runs")
    .addOption(stageOption())
    .action(async (options: { stage: string }) => {
      if (isLocal(options.stage)) {
        const reader = await runReader(options.stage);
        const rows: string[][] = [];
        for (const execution of await reader.workflow.list(20)) {
          const transform = (await reader.workflow.history(execution.name)).find(
            (v) => v.name === "Transform",
          );
          if (transform) {
            rows.push([
              execution.name,
              transform.outcome,
              transform.seconds?.toFixed(1) ?? "…",
              String(transform.retries),
            ]);
          }
        }
        process.stdout.write(`${table(["RUN", "TRANSFORM", "SECONDS", "RETRIES"], rows)}\n`);
        return;
      }
      const emr = await emrFor(options.stage);
      const runs = await emr.list(20);
      process.stdout.write(
        `${table(
          ["JOB RUN", "NAME", "STATE", "CREATED"],
          runs.map((r) => [r.id, r.name, r.state, r.createdAt]),
        )}\n`,
      );
    });
  jobs
    .command("describe")
    .description("one EMR Serverless job run")
    .argument("<job-run-id>")
    .addOption(stageOption())
    .action(async (jobRunId: string, options: { stage: string }) => {
      if (isLocal(options.stage)) {
        process.stdout.write(
          `local job runs are steps of a run: pipeline status <run> --stage ${options.stage}\n`,
        );
        return;
      }
      const run = await (await emrFor(options.stage)).describe(jobRunId);
      process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    });
  jobs
    .command("cancel")
    .description("cancel an EMR Serverless job run (its execution then fails through the Catch path)")
    .argument("<job-run-id>")
    .addOption(stageOption())
    .action(async (jobRunId: string, options: { stage: string }) => {
      if (isLocal(options.stage)) {
        process.stdout.write("local job runs end with their process; stop the command that runs them\n");
        return;
      }
      await (await emrFor(options.stage)).cancel(jobRunId);
      process.stdout.write(`cancel requested for ${jobRunId}\n`);
    });
};
