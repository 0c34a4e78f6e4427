/**
 * Spark runner port: runs the Spark job on one run manifest. In the cloud the state machine's
 * `emr-serverless:startJobRun.sync` task does this (the adapter here serves tools); locally the
 * Transform task is overridden to call the local runner, which keeps one warm Spark process.
 */
export interface SparkJobRequest {
  readonly runId: string;
  readonly manifestUri: string;
}

export interface SparkJobResult {
  readonly runId: string;
  readonly jobRunId: string;
  readonly state: "SUCCESS";
  /** `warm` (reused process), `cold` (a fresh process), or `emr` (EMR Serverless). */
  readonly mode: "warm" | "cold" | "emr";
  readonly seconds: number;
  readonly metricsUri?: string;
}

export interface SparkRunner {
  run(request: SparkJobRequest): Promise<SparkJobResult>;
  /** Releases what the runner keeps (the warm process). Safe to call twice. */
  close(): Promise<void>;
}
