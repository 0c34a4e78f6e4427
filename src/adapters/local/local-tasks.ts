import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PipelineConfig } from "../../config/index.js";
import { EMR_SYNC_RESOURCE, substitute, TASK_FUNCTIONS, type TaskFunctionName } from "../../core/asl.js";
import { SparkJobError } from "../../core/errors.js";
import { manifestUriOf } from "../../core/spark-job.js";
import type { SparkRunner } from "../../ports/spark-runner.js";
import type { LocalTask } from "./local-workflow.js";

/** A Lambda handler as middy exports it. */
export type LambdaHandler = (event: never, context: never) => Promise<unknown>;

export const localFunctionArn = (stage: string, fn: TaskFunctionName): string =>
  `arn:aws:lambda:local:000000000000:function:sales-pipeline-${stage}-${fn}`;

/** The values the deploy would put into the ASL's placeholders, for the local stage. */
export const localSubstitutions = (config: PipelineConfig): Record<string, string> => ({
  ...Object.fromEntries(
    Object.entries(TASK_FUNCTIONS).map(([placeholder, fn]) => [
      placeholder,
      localFunctionArn(config.stage, fn),
    ]),
  ),
  EmrApplicationId: config.emr?.applicationId ?? "local",
  EmrJobRoleArn: config.emr?.jobRoleArn ?? "arn:aws:iam::000000000000:role/local-spark",
  ArtifactsBucket: config.buckets.artifacts,
  CuratedBucket: config.buckets.curated,
  AlertTopicArn: config.alertTopicArn ?? "arn:aws:sns:local:000000000000:alerts",
});

/** Reads `state-machines/pipeline.asl.json` and fills its placeholders for the local stage. */
export const loadLocalDefinition = async (projectRoot: string, config: PipelineConfig): Promise<string> =>
  substitute(
    await readFile(join(projectRoot, "state-machines", "pipeline.asl.json"), "utf8"),
    localSubstitutions(config),
  );

let invocation = 0;

/** A Lambda context for an in-process invocation (what Powertools' logger reads from it). */
export const localContext = (stage: string, fn: string) => {
  invocation += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `sales-pipeline-${stage}-${fn}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:sales-pipeline-${stage}-${fn}`,
    memoryLimitInMB: "1024",
    awsRequestId: `local-${process.pid}-${invocation}`,
    logGroupName: `/aws/lambda/sales-pipeline-${stage}-${fn}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => 900_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

interface EmrTaskInput {
  readonly ApplicationId?: string;
  readonly Name?: string;
  readonly JobDriver?: { readonly SparkSubmit?: { readonly EntryPointArguments?: readonly unknown[] } };
}

/**
 * The Transform task of the local stage: receives exactly what EMR Serverless would (the Task's
 * evaluated Parameters), runs the same job on the local Spark runner, and answers like the
 * `.sync` integration (job run id and state).
 */
export const localTransform =
  (spark: SparkRunner): LocalTask =>
  async (input) => {
    const request = input as EmrTaskInput;
    const args = request.JobDriver?.SparkSubmit?.EntryPointArguments ?? [];
    const manifestUri = manifestUriOf(args);
    if (!manifestUri || !request.Name) {
      throw new SparkJobError(
        "Transform: the job needs a Name and --manifest <uri> in EntryPointArguments",
        "ValidationException",
      );
    }
    const result = await spark.run({ runId: request.Name, manifestUri });
    return {
      ApplicationId: request.ApplicationId ?? "local",
      JobRunId: result.jobRunId,
      Name: request.Name,
      State: result.state,
      Mode: result.mode,
      Seconds: result.seconds,
    };
  };

/**
 * Every Task of the pipeline mapped to its local implementation, by the substituted `Resource`:
 * Lambda tasks to the same handler code a Lambda runs, the EMR task to the local Spark runner.
 *
 * @example
 *   const tasks = localTasks(config, handlers, spark);
 */
export const localTasks = (
  config: PipelineConfig,
  handlers: Readonly<Record<TaskFunctionName, LambdaHandler>>,
  spark: SparkRunner,
): Record<string, LocalTask> => {
  const tasks: Record<string, LocalTask> = { [EMR_SYNC_RESOURCE]: localTransform(spark) };
  for (const fn of Object.values(TASK_FUNCTIONS)) {
    const handler = handlers[fn];
    tasks[localFunctionArn(config.stage, fn)] = async (input) =>
      (await handler(input as never, localContext(config.stage, fn) as never)) as never;
  }
  return tasks;
};
