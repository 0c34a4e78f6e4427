import { z } from "zod";
import { SparkJobError, SparkProcessError } from "./errors.js";

/**
 * How the Spark job is submitted (EMR Serverless `sparkSubmit`). The state machine's Transform
 * task carries the same values with `${ArtifactsBucket}` filled at deploy time; a test keeps the
 * two equal.
 */
export const sparkEntryPoint = (artifactsBucket: string): string => `s3://${artifactsBucket}/spark/job.py`;

/**
 * Worker sizes equal to the application's pre-initialized capacity (infra/resources/spark.yml): a job that asks
 * for other sizes cannot use the warm workers and waits for new ones.
 */
const WORKER_SIZES =
  "--conf spark.driver.cores=2 --conf spark.driver.memory=3g " +
  "--conf spark.executor.cores=4 --conf spark.executor.memory=7g --conf spark.executor.instances=2";

export const sparkSubmitParameters = (artifactsBucket: string): string =>
  `--py-files s3://${artifactsBucket}/spark/pipeline_spark.zip --conf spark.sql.session.timeZone=UTC ${WORKER_SIZES}`;

/** The job's arguments for one run: the manifest is the whole contract between PlanBatch and Spark. */
export const sparkArguments = (manifestUri: string): string[] => ["--manifest", manifestUri];

/** Reads the manifest URI back from the job's arguments (what the local Transform override gets). */
export const manifestUriOf = (args: readonly unknown[]): string | undefined => {
  const index = args.indexOf("--manifest");
  const value = index >= 0 ? args[index + 1] : undefined;
  return typeof value === "string" ? value : undefined;
};

/**
 * What the Spark job reports about a failure (docs/interfaces.md): a warm answer's error fields, the JSON line
 * the cold job logs, and the error document it writes beside the metrics.
 */
export const sparkFailureReportSchema = z.looseObject({
  /** The exception's class name (for a JVM exception, the Java class's simple name). */
  error_type: z.string().min(1),
  /** The name shown to people: the Java class's full name for a JVM exception. */
  exception: z.string().optional(),
  /** The first meaningful line of the exception's message. */
  message: z.string().optional(),
  /** True only when the Spark session itself is gone (a fresh process may pass). */
  retryable: z.boolean().optional(),
});

export type SparkFailureReport = z.infer<typeof sparkFailureReportSchema>;

/**
 * The error of a failure the job reported: `SparkProcessError` (`Spark.ProcessDied`, retried) when its session
 * is gone, else a `SparkJobError` named by the exception class, with `<exception class>: <message>`.
 *
 * @example
 *   sparkFailure({ error_type: "ParseException", exception: "org.apache.spark.sql.catalyst.parser.ParseException",
 *     message: "[PARSE_SYNTAX_ERROR] Syntax error at or near ')'.", retryable: false });
 *   // SparkJobError { name: "Spark.AnalysisError", message: "org.apache…ParseException: [PARSE_SYNTAX_ERROR] …" }
 */
export const sparkFailure = (report: SparkFailureReport): SparkJobError | SparkProcessError => {
  const text = `${report.exception ?? report.error_type}: ${report.message ?? "the Spark job failed"}`;
  return report.retryable ? new SparkProcessError(text) : new SparkJobError(text, report.error_type);
};

/**
 * Where the cold job (EMR) writes its failure report: beside the run's metrics. EMR Serverless reports every
 * failed job run to the workflow as `States.TaskFailed`, so RecordRun reads this to name the exception.
 *
 * @example
 *   sparkErrorUriOf("s3://curated/metrics/run-1.json"); // "s3://curated/metrics/run-1.error.json"
 */
export const sparkErrorUriOf = (metricsUri: string): string =>
  `${metricsUri.endsWith(".json") ? metricsUri.slice(0, -".json".length) : metricsUri}.error.json`;
