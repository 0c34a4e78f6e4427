import { ValidationError } from "../errors.js";
import type { SqlFiles, SqlStatement } from "./sql-files.js";
import { stripComments } from "./sql-text.js";

/** BatchExecuteStatement runs at most 40 statements as one transaction. */
export const MAX_TRANSACTION_STATEMENTS = 40;

/** Step Functions execution names: letters, digits, `-` and `_`, at most 80 characters. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

/** Throws a `ValidationError` unless `runId` is a valid run id (= execution name). */
export const validateRunId = (runId: string): string => {
  if (!RUN_ID.test(runId)) {
    throw new ValidationError(`run id must be 1-80 letters, digits, '-' or '_': ${JSON.stringify(runId)}`);
  }
  return runId;
};

/**
 * The statements of one run's merge, in order: the files of `sql/merge/`, sorted by name. The first locks every
 * target, the rest take the run id as `:run_id`. Fits one BatchExecuteStatement (one transaction).
 *
 * @example
 *   const statements = await mergePlan(new SqlFiles("sql")); // 34 statements, merge/000_lock_targets.sql first
 */
export const mergePlan = async (files: SqlFiles): Promise<SqlStatement[]> => {
  const statements: SqlStatement[] = await files.folder("merge");
  if (statements.length === 0 || statements.length > MAX_TRANSACTION_STATEMENTS) {
    throw new ValidationError(
      `sql/merge must hold 1..${MAX_TRANSACTION_STATEMENTS} statements (one transaction), found ${statements.length}`,
    );
  }
  if (!/^\s*LOCK\b/i.test(stripComments(statements[0]?.sql ?? ""))) {
    throw new ValidationError(`the first merge statement must lock the targets: ${statements[0]?.name}`);
  }
  return statements;
};
