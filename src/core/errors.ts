import { PipelineError, TransientError } from "../errors.js";

/**
 * Errors the workflow routes on. Names are set explicitly (not only from the class) so that a
 * bundler that renames classes cannot change what the state machine's Retry/Catch match.
 */

/**
 * The names a Spark failure reaches the workflow with. The job's own report (`error_type`, the Python or Java
 * exception class) picks one; every name but `Spark.ProcessDied` is a failure that would fail again on the
 * same input, so Transform retries none of them (state-machines/pipeline.asl.json).
 */
export const SPARK_ERROR_NAMES = {
  /** A contract (bundle, feed expression, filter) the job cannot run: pipeline_spark ContractError. */
  contract: "Spark.ContractError",
  /** Spark refused a query it was given: AnalysisException (and its subclasses), ParseException. */
  analysis: "Spark.AnalysisError",
  /** The data broke an invariant of the job: ConservationError. */
  data: "Spark.DataError",
  /** The run manifest, or an input object it names, is wrong: ManifestError, InputError. */
  input: "Spark.InputError",
  /** Any other exception the job raised and reported. */
  job: "Spark.JobFailed",
  /** The Spark process (or its JVM) died or could not start: a fresh process may pass. */
  processDied: "Spark.ProcessDied",
} as const;

export type SparkErrorName = (typeof SPARK_ERROR_NAMES)[keyof typeof SPARK_ERROR_NAMES];

const PERMANENT_BY_TYPE: Readonly<Record<string, SparkErrorName>> = {
  ContractError: SPARK_ERROR_NAMES.contract,
  AnalysisException: SPARK_ERROR_NAMES.analysis,
  ExtendedAnalysisException: SPARK_ERROR_NAMES.analysis,
  ParseException: SPARK_ERROR_NAMES.analysis,
  ConservationError: SPARK_ERROR_NAMES.data,
  ManifestError: SPARK_ERROR_NAMES.input,
  InputError: SPARK_ERROR_NAMES.input,
};

/**
 * The workflow error name of a failure the Spark job reported (`error_type` of its answer or error document).
 *
 * @example
 *   sparkErrorName("ParseException"); // "Spark.AnalysisError"
 *   sparkErrorName("Py4JNetworkError", true); // "Spark.ProcessDied"
 */
export const sparkErrorName = (errorType: string, retryable = false): SparkErrorName =>
  retryable ? SPARK_ERROR_NAMES.processDied : (PERMANENT_BY_TYPE[errorType] ?? SPARK_ERROR_NAMES.job);

/**
 * The Spark job failed in a way that fails again on the same input (a contract, a query Spark refuses,
 * a conservation break, a bad manifest, any other exception the job reported). Its `name` is one of
 * {@link SPARK_ERROR_NAMES} chosen from `errorType`; its message is `<exception class>: <message>`.
 */
export class SparkJobError extends PipelineError {
  override name: SparkErrorName;
  constructor(
    message: string,
    /** The exception's class name as the job reported it (`ContractError`, `AnalysisException`, …). */
    readonly errorType: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = sparkErrorName(errorType);
  }
}

/** A published file failed to load into its staging table (auto-copy status E). Not retryable. */
export class LoadFailedError extends PipelineError {
  override name = "LoadFailedError";
}

/** Post-load verification (reconciliation, orphans) found a difference. */
export class VerificationError extends PipelineError {
  override name = "VerificationError";
}

/** A warehouse transaction lost a serialization conflict; the workflow retries with backoff. */
export class SerializationConflictError extends TransientError {
  override name = "SerializationConflictError";
}

/** The Spark process (or its JVM) died or could not start; a fresh attempt may work. Transform retries it. */
export class SparkProcessError extends TransientError {
  override name = SPARK_ERROR_NAMES.processDied;
}
