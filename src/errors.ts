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

/** A source contract (or the bundle compiled from them) is invalid. Never retryable. */
export class ContractError extends PipelineError {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${path || "(root)"}: ${problem}`, options);
  }
}

/** Input the pipeline was given does not satisfy its schema (events, CLI arguments, configuration). */
export class ValidationError extends PipelineError {}

/** Something that was expected to exist does not (a run, an object, a contract). */
export class NotFoundError extends PipelineError {}

/** A failure that may succeed if tried again (throttling, capacity, serialization conflicts). */
export class TransientError extends PipelineError {}
