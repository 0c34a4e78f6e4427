/**
 * The project's error hierarchy. Every error the pipeline raises on purpose is a
 * `PipelineError`; the workflow's Retry policies key on the error `name`, so the
 * names below are part of the state machine's contract.
 */
export class PipelineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A file or stored document that is not what its schema says: names the object, the path inside it and the
 * problem (`s3://curated/metrics/run-1.json: sources.orders.rows_read: ...`). Never retryable.
 */
export class DocumentError extends PipelineError {
  constructor(
    readonly uri: string,
    readonly path: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${uri}: ${path || "(root)"}: ${problem}`, options);
  }
}

/** A source contract (or the bundle compiled from them) is invalid. Never retryable. */
export class ContractError extends DocumentError {
  /** The contract file (or the bundle's URI). */
  get file(): string {
    return this.uri;
  }
}

/** Input the pipeline was given does not satisfy its schema (events, CLI arguments, configuration). */
export class ValidationError extends PipelineError {}

/** Something that was expected to exist does not (a run, an object, a contract). */
export class NotFoundError extends PipelineError {}

/** A failure that may succeed if tried again (throttling, capacity, serialization conflicts). */
export class TransientError extends PipelineError {}
