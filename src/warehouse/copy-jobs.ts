import { ValidationError } from "../errors.js";
import type { CopyJobSpec } from "../ports/warehouse.js";
import type { SqlStatement } from "./sql-files.js";
import { mapCode, stripComments } from "./sql-text.js";

const COPY_JOB =
  /^\s*COPY\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\s+FROM\s+'(s3:\/\/[^']+\/)'\s+IAM_ROLE\s+'([^']+)'\s+FORMAT\s+AS\s+PARQUET\s+JOB\s+CREATE\s+([a-z_][a-z0-9_]*)\s+AUTO\s+ON\s*$/i;

/** Whether a statement is a `COPY ... JOB CREATE` (auto-copy job creation). */
export const isCopyJob = (sql: string): boolean => {
  let found = false;
  mapCode(sql, (code) => {
    if (/\bJOB\s+CREATE\b/i.test(code)) found = true;
    return code;
  });
  return found;
};

/**
 * Reads the job a `copy-jobs/*.sql` statement creates (placeholders already filled). Only the one shape
 * the project uses is accepted: `COPY <schema.table> FROM 's3://<bucket>/<prefix>/' IAM_ROLE '<arn>'
 * FORMAT AS PARQUET JOB CREATE <name> AUTO ON`.
 *
 * @example
 *   parseCopyJob({ name: "copy-jobs/orders.sql", sql }).table // "staging.orders"
 */
export const parseCopyJob = (statement: SqlStatement): CopyJobSpec => {
  const match = COPY_JOB.exec(stripComments(statement.sql));
  if (!match) {
    throw new ValidationError(
      `${statement.name}: expected COPY <schema.table> FROM 's3://<bucket>/<prefix>/' IAM_ROLE '<arn>' ` +
        "FORMAT AS PARQUET JOB CREATE <name> AUTO ON",
    );
  }
  const [, table, source, , name] = match as unknown as [string, string, string, string, string];
  return { name: name.toLowerCase(), table: table.toLowerCase(), source, sql: statement.sql };
};

/** Splits `s3://bucket/prefix/` into its bucket and key prefix. */
export const splitS3Uri = (uri: string): { bucket: string; prefix: string } => {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new ValidationError(`not an s3:// URI: ${uri}`);
  return { bucket: match[1] as string, prefix: match[2] as string };
};
