import { stripComments } from "./sql-text.js";

/**
 * Rules of Redshift DDL that the SQL files must keep, written down once: the migration runner checks every
 * migration against them before anything runs (so both stages refuse the same files), and the local DuckDB
 * warehouse, which would accept more, refuses what Redshift refuses (docs.aws.amazon.com/redshift/latest/dg/
 * r_ALTER_TABLE.html: ALTER COLUMN ... TYPE only changes the size of a VARCHAR column and cannot run inside a
 * transaction block; DROP COLUMN is RESTRICT by default, refused while a view uses the column).
 */

const NAME = "[a-z_][a-z0-9_]*";
const TABLE = `${NAME}\\.${NAME}`;

const ALTER_COLUMN_TYPE = new RegExp(
  `^\\s*ALTER\\s+TABLE\\s+(${TABLE})\\s+ALTER\\s+(?:COLUMN\\s+)?(${NAME})\\s+TYPE\\s+([\\s\\S]+?)\\s*$`,
  "i",
);
const DROP_COLUMN = new RegExp(
  `^\\s*ALTER\\s+TABLE\\s+(${TABLE})\\s+DROP\\s+(?:COLUMN\\s+)?(${NAME})\\b`,
  "i",
);
const DROP_TABLE = new RegExp(`^\\s*DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(${TABLE})\\b`, "i");
const ADD_COLUMN = new RegExp(
  `^\\s*ALTER\\s+TABLE\\s+(${TABLE})\\s+ADD\\s+(?:COLUMN\\s+)?(${NAME})\\s+([\\s\\S]+?)\\s*$`,
  "i",
);
const VARCHAR = /^(?:VARCHAR|CHARACTER\s+VARYING|NVARCHAR)\s*\(\s*\d+\s*\)$/i;

/**
 * `ALTER TABLE t ALTER COLUMN c TYPE x`: the table, the column and the new type, or undefined.
 *
 * @example
 *   columnTypeChange("ALTER TABLE star.dim_seller ALTER COLUMN state TYPE VARCHAR(64)")
 *   // { table: "star.dim_seller", column: "state", type: "VARCHAR(64)" }
 */
export const columnTypeChange = (
  sql: string,
): { readonly table: string; readonly column: string; readonly type: string } | undefined => {
  const match = ALTER_COLUMN_TYPE.exec(stripComments(sql));
  if (!match) return undefined;
  return {
    table: (match[1] as string).toLowerCase(),
    column: (match[2] as string).toLowerCase(),
    type: (match[3] as string).replace(/\s+/g, " ").trim(),
  };
};

/**
 * Why Redshift refuses the statement inside a transaction block (BEGIN ... END, or a BatchExecuteStatement), or
 * undefined when it may run there.
 *
 * @example
 *   transactionBlockRefusal("ALTER TABLE star.dim_seller ALTER COLUMN state TYPE VARCHAR(64)")
 *   // "ALTER COLUMN ... TYPE cannot run inside a transaction block on Redshift"
 */
export const transactionBlockRefusal = (sql: string): string | undefined =>
  columnTypeChange(sql)
    ? "ALTER COLUMN ... TYPE cannot run inside a transaction block on Redshift"
    : undefined;

/**
 * Why Redshift refuses the statement whatever the data, or undefined: a column's type changes only to a wider
 * VARCHAR (DECIMAL and every other type cannot change: add a column, copy, drop, rename, or rebuild the table), and
 * a NOT NULL column is added only with a DEFAULT (the existing rows need a value).
 *
 * @example
 *   ddlRefusal("ALTER TABLE core.payments ALTER COLUMN payment_value TYPE DECIMAL(18, 4)")
 *   // "Redshift changes a column's type only to a wider VARCHAR, not to DECIMAL(18, 4)"
 */
export const ddlRefusal = (sql: string): string | undefined => {
  const change = columnTypeChange(sql);
  if (change && !VARCHAR.test(change.type)) {
    return `Redshift changes a column's type only to a wider VARCHAR, not to ${change.type}`;
  }
  const added = ADD_COLUMN.exec(stripComments(sql));
  if (added && /\bNOT\s+NULL\b/i.test(added[3] as string) && !/\bDEFAULT\b/i.test(added[3] as string)) {
    return `ADD COLUMN ${(added[2] as string).toLowerCase()} NOT NULL needs a DEFAULT on Redshift`;
  }
  return undefined;
};

/**
 * What a statement removes or retypes that a view may use, for the dependency check Redshift makes (a view that
 * uses a table, or a column of it, blocks DROP TABLE, DROP COLUMN and ALTER COLUMN ... TYPE): the table, and the
 * column when one column is concerned.
 *
 * @example
 *   viewDependencyTarget("ALTER TABLE star.fact_sales DROP COLUMN revenue") // { table: "star.fact_sales", column: "revenue" }
 */
export const viewDependencyTarget = (
  sql: string,
): { readonly table: string; readonly column?: string } | undefined => {
  const code = stripComments(sql);
  const change = columnTypeChange(code);
  if (change) return { table: change.table, column: change.column };
  const dropped = DROP_COLUMN.exec(code);
  if (dropped)
    return { table: (dropped[1] as string).toLowerCase(), column: (dropped[2] as string).toLowerCase() };
  const table = DROP_TABLE.exec(code);
  if (table) return { table: (table[1] as string).toLowerCase() };
  return undefined;
};

/**
 * Whether a view's SQL uses the table (and the column): a textual check, conservative as a local stand-in for
 * Redshift's dependency records (a view naming the column of another table counts too).
 *
 * @example
 *   viewUses("SELECT revenue FROM star.fact_sales", { table: "star.fact_sales", column: "revenue" }) // true
 *   viewUses("SELECT 1 FROM star.fact_sales_rebuilt", { table: "star.fact_sales" }) // false
 */
export const viewUses = (
  viewSql: string,
  target: { readonly table: string; readonly column?: string },
): boolean => {
  const code = stripComments(viewSql);
  const word = (name: string) => new RegExp(`(?<![\\w.])${name.replace(".", "\\.")}(?!\\w)`, "i");
  if (!word(target.table).test(code)) return false;
  return target.column === undefined || new RegExp(`\\b${target.column}\\b`, "i").test(code);
};
