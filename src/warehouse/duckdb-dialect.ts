import { ValidationError } from "../errors.js";
import type { CopyJobSpec } from "../ports/warehouse.js";
import { isCopyJob, parseCopyJob } from "./copy-jobs.js";
import { ddlRefusal } from "./ddl-rules.js";
import type { SqlStatement } from "./sql-files.js";
import { mapCode, parameterNames, replaceParameters, stripComments } from "./sql-text.js";

/**
 * The translation of the project's Redshift SQL into what DuckDB runs. It is deliberately small, because the
 * SQL files keep to the portable subset (INSERT ... SELECT, UPDATE ... FROM, DELETE ... USING, MERGE with one
 * matched action, CTEs, window functions):
 *   - physical design clauses DuckDB has no meaning for are dropped: DISTSTYLE, DISTKEY, [COMPOUND|INTERLEAVED]
 *     SORTKEY, ENCODE;
 *   - `:name` parameters become `$name`;
 *   - DATEDIFF(<part>, a, b) quotes its date part (DuckDB's datediff takes it as text; both count boundaries);
 *   - Redshift-only functions exist in DuckDB as macros (DUCKDB_MACROS);
 *   - `LOCK t, ...` is handled by the adapter (it serializes writers itself), `COPY ... JOB CREATE` registers an
 *     emulated auto-copy job, and roles and grants (CREATE ROLE, GRANT, ALTER DEFAULT PRIVILEGES) are skipped;
 *   - `ALTER TABLE t ADD COLUMN c <type> NOT NULL DEFAULT d` (DuckDB adds no column with a constraint) becomes
 *     the column added with its default, then `SET NOT NULL`;
 *   - DDL Redshift refuses (`ddlRefusal`: a type change other than a wider VARCHAR, a NOT NULL column added
 *     without a DEFAULT) is refused here too, though DuckDB would run it.
 */
export type DuckDbStatement =
  | {
      readonly kind: "sql";
      readonly name: string;
      readonly sql: string;
      readonly parameters: readonly string[];
    }
  | { readonly kind: "lock"; readonly name: string; readonly tables: readonly string[] }
  | { readonly kind: "skip"; readonly name: string; readonly reason: string }
  | { readonly kind: "copy-job"; readonly name: string; readonly job: CopyJobSpec };

const PHYSICAL_OPTIONS: readonly RegExp[] = [
  /\bDISTSTYLE\s+(?:ALL|EVEN|KEY|AUTO)\b/gi,
  /\b(?:COMPOUND\s+|INTERLEAVED\s+)?SORTKEY\s*\([^)]*\)/gi,
  /\bDISTKEY\s*\([^)]*\)/gi,
  /\bENCODE\s+[A-Za-z0-9_]+/gi,
];

const DATEDIFF_PART = /\bDATEDIFF\s*\(\s*(YEAR|QUARTER|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)\s*,/gi;

const LOCK = /^\s*LOCK\s+(?:TABLE\s+)?([\s\S]+?)\s*$/i;

const ADD_NOT_NULL_COLUMN =
  /^(\s*ALTER\s+TABLE\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\s+ADD\s+(?:COLUMN\s+)?([a-z_][a-z0-9_]*)\s[\s\S]*?)\bNOT\s+NULL\b([\s\S]*)$/i;

/** Access control: DuckDB has no roles or grants (the local warehouse has one user). */
const ACCESS_CONTROL = /^\s*(?:GRANT|REVOKE|CREATE\s+ROLE|DROP\s+ROLE|ALTER\s+DEFAULT\s+PRIVILEGES)\b/i;

/** Redshift functions the SQL uses that DuckDB lacks, defined as DuckDB macros with Redshift's meaning. */
export const DUCKDB_MACROS: readonly string[] = [
  // STRTOL(text, base): the SQL only uses base 16 (surrogate keys from MD5 prefixes).
  "CREATE OR REPLACE MACRO strtol(num_string, base) AS CASE WHEN base = 16 THEN CAST('0x' || num_string AS BIGINT) " +
    "ELSE error('STRTOL is emulated for base 16 only') END",
  // GETDATE(): the current UTC time as a TIMESTAMP without time zone, to the second.
  "CREATE OR REPLACE MACRO getdate() AS date_trunc('second', CAST(current_timestamp AS TIMESTAMP))",
];

/**
 * Translates one Redshift statement for DuckDB.
 *
 * @example
 *   toDuckDb({ name: "x.sql", sql: "CREATE TABLE t (a INT ENCODE az64) DISTSTYLE ALL" }).sql
 *   // "CREATE TABLE t (a INT ) "
 */
export const toDuckDb = (statement: SqlStatement): DuckDbStatement => {
  const { name, sql } = statement;
  const code = stripComments(sql);
  const lock = LOCK.exec(code);
  if (lock) {
    const tables = (lock[1] as string)
      .split(",")
      .map((table) => table.trim().toLowerCase())
      .filter((table) => table !== "");
    return { kind: "lock", name, tables };
  }
  if (ACCESS_CONTROL.test(code))
    return { kind: "skip", name, reason: "roles and grants do not exist in DuckDB" };
  if (isCopyJob(sql)) return { kind: "copy-job", name, job: parseCopyJob(statement) };
  const refused = ddlRefusal(sql);
  if (refused) throw new ValidationError(`${name}: ${refused}`);
  const parameters = parameterNames(sql);
  let translated = mapCode(sql, (text) => {
    let out = text;
    for (const option of PHYSICAL_OPTIONS) out = out.replace(option, "");
    return out.replace(DATEDIFF_PART, (_match, part: string) => `DATEDIFF('${part.toLowerCase()}',`);
  });
  translated = replaceParameters(translated, (parameter) => `$${parameter}`);
  const notNull = ADD_NOT_NULL_COLUMN.exec(stripComments(translated));
  if (notNull) {
    const [, added, table, column, rest] = notNull as unknown as [string, string, string, string, string];
    translated = `${added.trimEnd()} ${rest.trim()}; ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL`;
  }
  return { kind: "sql", name, sql: translated, parameters };
};
