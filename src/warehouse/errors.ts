import { PipelineError, TransientError } from "../errors.js";

export { SerializationConflictError } from "../core/errors.js";

/** An applied ddl or copy-job migration file changed: fix forward with a new file, never edit an applied one. */
export class MigrationChecksumError extends PipelineError {
  override name = "MigrationChecksumError";
  constructor(
    readonly version: string,
    readonly appliedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `migration ${version} was applied with checksum ${appliedChecksum} but the file now has ${fileChecksum}; ` +
        "add a new migration instead of editing an applied one",
    );
  }
}

/** A warehouse statement failed; `statement` names the SQL file (or the statement's role) that failed. */
export class WarehouseStatementError extends PipelineError {
  override name = "WarehouseStatementError";
  constructor(
    readonly statement: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${statement}: ${message}`, options);
  }
}

/** A statement did not finish within the adapter's wait budget (it may still be running). */
export class WarehouseTimeoutError extends TransientError {
  override name = "WarehouseTimeoutError";
}

/**
 * A statement outlived its wait budget, was cancelled, and still had not stopped when the cancel grace ran out: it
 * may yet commit. Not retryable; the operator checks the warehouse (docs/deploy.md, troubleshooting).
 */
export class WarehouseOutcomeUnknownError extends PipelineError {
  override name = "WarehouseOutcomeUnknownError";
}
