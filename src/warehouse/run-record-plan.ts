import { ValidationError } from "../errors.js";
import type { OpsDqResultRow, OpsRunRecord, OpsRunRow, SqlParams } from "../ports/warehouse.js";
import { MAX_TRANSACTION_STATEMENTS, validateRunId } from "./merge-plan.js";
import type { SqlFiles, SqlStatement } from "./sql-files.js";
import { replaceParameters, stripComments } from "./sql-text.js";

/** Rule results per INSERT statement (12 parameters each, plus the shared :run_id). */
export const DQ_RESULTS_PER_STATEMENT = 25;

/** The files of `sql/ops/`, by step. */
const FILES = {
  lock: "000_lock_targets.sql",
  deleteRun: "010_delete_run.sql",
  insertRun: "011_insert_run.sql",
  deleteResults: "020_delete_dq_results.sql",
  insertResults: "021_insert_dq_results.sql",
} as const;

/**
 * Binds one row of values to a statement's parameters: `:run_id` stays shared, every other `:name` becomes
 * `:<prefix>name` (its value added to `params`), or NULL when the value is null or empty (the Data API takes
 * no empty parameter). Every parameter must have a value and every value a parameter: a column added to the
 * SQL or to the row type alone fails here instead of writing NULLs.
 */
const bindRow = (
  sql: string,
  row: OpsRunRow | OpsDqResultRow,
  prefix: string,
  params: Record<string, string>,
  file: string,
): string => {
  const values = new Map<string, string | null>(Object.entries(row));
  const used = new Set<string>();
  const bound = replaceParameters(sql, (name) => {
    if (name === "run_id") return ":run_id";
    if (!values.has(name)) throw new ValidationError(`${file}: no value for :${name}`);
    used.add(name);
    const value = values.get(name);
    if (value === null || value === undefined || value === "") return "NULL";
    params[`${prefix}${name}`] = value;
    return `:${prefix}${name}`;
  });
  const unused = [...values.keys()].filter((name) => name !== "run_id" && !used.has(name));
  if (unused.length > 0) throw new ValidationError(`${file}: no parameter for ${unused.join(", ")}`);
  return bound;
};

/** `INSERT ... VALUES (<row>)` -> the text up to and including VALUES, and the row template. */
const splitValues = (statement: SqlStatement): { head: string; row: string } => {
  const code = stripComments(statement.sql);
  const at = code.search(/\bVALUES\s*\(/i);
  if (at < 0) throw new ValidationError(`${statement.name}: expected INSERT ... VALUES (...)`);
  return { head: code.slice(0, at + "VALUES".length), row: code.slice(at + "VALUES".length).trim() };
};

/**
 * The statements and parameters that record one run (`sql/ops/`, in order): lock both tables, replace the
 * run's row, replace its rule results (several rows per INSERT). One transaction.
 *
 * @example
 *   const { statements, params } = await runRecordPlan(new SqlFiles("sql"), record);
 *   await engine.transaction(statements, params, `record-run:${record.run.run_id}`);
 */
export const runRecordPlan = async (
  files: SqlFiles,
  record: OpsRunRecord,
): Promise<{ statements: SqlStatement[]; params: SqlParams }> => {
  const runId = validateRunId(record.run.run_id);
  const ops = (name: string) => files.file("ops", name);
  const [lock, deleteRun, insertRun, deleteResults, insertResults] = await Promise.all([
    ops(FILES.lock),
    ops(FILES.deleteRun),
    ops(FILES.insertRun),
    ops(FILES.deleteResults),
    ops(FILES.insertResults),
  ]);
  const params: Record<string, string> = { run_id: runId };
  const statements: SqlStatement[] = [
    lock,
    deleteRun,
    { name: insertRun.name, sql: bindRow(insertRun.sql, record.run, "", params, insertRun.name) },
    deleteResults,
  ];
  const { head, row } = splitValues(insertResults);
  for (let start = 0; start < record.dqResults.length; start += DQ_RESULTS_PER_STATEMENT) {
    const rows = record.dqResults
      .slice(start, start + DQ_RESULTS_PER_STATEMENT)
      .map((values, offset) => bindRow(row, values, `r${start + offset}_`, params, insertResults.name));
    statements.push({
      name: `${insertResults.name}#${start / DQ_RESULTS_PER_STATEMENT + 1}`,
      sql: `${head}\n${rows.join(",\n")}`,
    });
  }
  if (statements.length > MAX_TRANSACTION_STATEMENTS) {
    throw new ValidationError(
      `run ${runId}: ${record.dqResults.length} rule results need ${statements.length} statements, more than one transaction holds (${MAX_TRANSACTION_STATEMENTS})`,
    );
  }
  return { statements, params };
};
