import { ValidationError } from "../errors.js";
import type { CopyJobSpec, Row, SqlParams } from "../ports/warehouse.js";
import type { SqlStatement } from "./sql-files.js";

/**
 * What the migration runner, the merge and the checks need from a database: the small surface each adapter
 * implements. `label` names the work for the database's own history (the Redshift Data API's StatementName),
 * e.g. `merge:<run_id>` or `migrate:ddl/011_staging_customers.sql`.
 */
export interface SqlEngine {
  /** Runs one statement on its own (auto-commit). */
  execute(statement: SqlStatement, params: SqlParams, label: string): Promise<void>;
  /** Runs the statements in order as ONE transaction: all commit or none. */
  transaction(statements: readonly SqlStatement[], params: SqlParams, label: string): Promise<void>;
  /** Runs one query and returns its rows. */
  select(statement: SqlStatement, params: SqlParams, label: string): Promise<Row[]>;
  /** Creates an auto-copy job unless one with its name exists (outside any transaction). */
  ensureCopyJob(job: CopyJobSpec, label: string): Promise<"created" | "exists">;
}

/** The subset of `params` a statement references (`:name`), for engines that refuse unused parameters. */
export const pickParams = (params: SqlParams, names: readonly string[]): Record<string, string> => {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = params[name];
    if (value === undefined) throw new ValidationError(`no value for the SQL parameter :${name}`);
    picked[name] = value;
  }
  return picked;
};
