import { PipelineError, TransientError } from "../errors.js";

/**
 * Errors the workflow routes on. Names are set explicitly (not only from the class) so that a
 * bundler that renames classes cannot change what the state machine's Retry/Catch match.
 */

/** The Spark job failed (bad input the job refused, a conservation break, a crash). */
export class SparkJobError extends PipelineError {
  override name = "SparkJobError";
  constructor(
    message: string,
    readonly errorType: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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

/** The local Spark process died or could not start; a fresh attempt may work. */
export class SparkProcessError extends TransientError {
  override name = "SparkProcessError";
}
