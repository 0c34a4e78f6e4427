import {
  CancelJobRunCommand,
  type EMRServerlessClient,
  GetJobRunCommand,
  type JobRun,
  ListJobRunsCommand,
  StartJobRunCommand,
} from "@aws-sdk/client-emr-serverless";
import { SparkJobError } from "../../core/errors.js";
import { sparkArguments, sparkEntryPoint, sparkSubmitParameters } from "../../core/spark-job.js";
import type { SparkJobRequest, SparkJobResult, SparkRunner } from "../../ports/spark-runner.js";
import { asTransient } from "./errors.js";

export interface EmrServerlessOptions {
  readonly applicationId: string;
  readonly jobRoleArn: string;
  readonly artifactsBucket: string;
  /** Milliseconds between GetJobRun polls (the state machine's `.sync` task polls for itself). */
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const TERMINAL = new Set(["SUCCESS", "FAILED", "CANCELLED"]);

/**
 * EMR Serverless behind the Spark runner port. The pipeline's own runs go through the state
 * machine's `emr-serverless:startJobRun.sync` task; this adapter serves the CLI: running the job
 * by hand on a manifest, describing, listing and cancelling job runs.
 *
 * @example
 *   const emr = new EmrServerlessSparkRunner(new EMRServerlessClient({}), options);
 *   await emr.describe("00fabc…"); // { jobRunId, state: "RUNNING", … }
 */
export class EmrServerlessSparkRunner implements SparkRunner {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: EMRServerlessClient,
    private readonly options: EmrServerlessOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
  }

  async run(request: SparkJobRequest): Promise<SparkJobResult> {
    const started = Date.now();
    let jobRunId: string;
    try {
      const response = await this.client.send(
        new StartJobRunCommand({
          applicationId: this.options.applicationId,
          executionRoleArn: this.options.jobRoleArn,
          name: request.runId,
          clientToken: `${request.runId}-${started}`.slice(0, 64),
          jobDriver: {
            sparkSubmit: {
              entryPoint: sparkEntryPoint(this.options.artifactsBucket),
              entryPointArguments: sparkArguments(request.manifestUri),
              sparkSubmitParameters: sparkSubmitParameters(this.options.artifactsBucket),
            },
          },
        }),
      );
      jobRunId = response.jobRunId ?? "";
    } catch (error) {
      throw asTransient(error, "EMR Serverless StartJobRun");
    }
    for (;;) {
      const run = await this.describe(jobRunId);
      if (TERMINAL.has(run.state ?? "")) {
        if (run.state !== "SUCCESS") {
          throw new SparkJobError(
            `job run ${jobRunId} ended ${run.state}: ${run.stateDetails ?? "no details"}`,
            run.state ?? "FAILED",
          );
        }
        return {
          runId: request.runId,
          jobRunId,
          state: "SUCCESS",
          mode: "emr",
          seconds: Math.round((Date.now() - started) / 10) / 100,
        };
      }
      await this.sleep(this.options.pollMs ?? 10_000);
    }
  }

  async describe(jobRunId: string): Promise<JobRun> {
    try {
      const response = await this.client.send(
        new GetJobRunCommand({ applicationId: this.options.applicationId, jobRunId }),
      );
      if (!response.jobRun) throw new SparkJobError(`no job run ${jobRunId}`, "NotFound");
      return response.jobRun;
    } catch (error) {
      throw asTransient(error, `EMR Serverless GetJobRun ${jobRunId}`);
    }
  }

  async list(limit: number): Promise<{ id: string; name: string; state: string; createdAt: string }[]> {
    const response = await this.client.send(
      new ListJobRunsCommand({ applicationId: this.options.applicationId, maxResults: Math.min(limit, 50) }),
    );
    return (response.jobRuns ?? []).map((run) => ({
      id: run.id ?? "",
      name: run.name ?? "",
      state: run.state ?? "",
      createdAt: (run.createdAt ?? new Date(0)).toISOString(),
    }));
  }

  async cancel(jobRunId: string): Promise<void> {
    await this.client.send(new CancelJobRunCommand({ applicationId: this.options.applicationId, jobRunId }));
  }

  async close(): Promise<void> {}
}
