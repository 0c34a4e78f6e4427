import { basename } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  type CompiledSource,
  DEFAULT_CSV_OPTIONS,
  fileTypeOf,
  matchExtension,
} from "../../contracts/index.js";
import type { ColumnDates } from "../../core/column-batch-date.js";
import { ValidationError } from "../../errors.js";
import { dateOfTextSql } from "./duckdb-datetime.js";

/** A file could not be read to find the dates of its column (unreadable, or the column is not in it). */
export class ColumnDatesError extends ValidationError {}

const sqlText = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** DuckDB's csv encodings: UTF-8, else Latin-1, which decodes any byte and reads ASCII (dates) as every
 * ASCII-compatible encoding does. */
const csvEncoding = (encoding: string): string => (/^utf-?8$/i.test(encoding) ? "utf-8" : "latin-1");

/** A contract column found in a file's own columns: the exact name, else ignoring case and spaces (as Spark). */
const findColumn = (names: readonly string[], wanted: string): string | undefined =>
  names.find((name) => name === wanted) ??
  names.find((name) => name.trim().toLowerCase() === wanted.trim().toLowerCase());

const DATE_TYPES = /^(DATE|TIMESTAMP.*)$/;

/**
 * Reads the dates of one column of raw files with an in-memory DuckDB, the way the Spark job will read the file:
 * the format from the file's ending among the contract's (csv with the contract's header, delimiter, quote, escape
 * and encoding; jsonl; parquet; `.gz` decompressed), the value typed by the column's contract type and Spark datetime
 * pattern (duckdb-datetime.ts). Each distinct value is parsed once. Open it once for the files of a drop.
 *
 * @example
 *   const reader = await ColumnDateReader.open();
 *   const found = await reader.read("exports/retail.csv", bundle.sources.online_retail, "InvoiceDate");
 *   found.dates; // [{ date: "2010-12-01", rows: 412 }]
 *   reader.close();
 */
export class ColumnDateReader {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<ColumnDateReader> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const connection = await instance.connect();
    // The Spark job's session time zone: a value with an offset falls on its UTC day.
    await connection.run("SET TimeZone = 'UTC'");
    return new ColumnDateReader(instance, connection);
  }

  async read(path: string, source: CompiledSource, columnName: string): Promise<ColumnDates> {
    const column = source.columns.find((candidate) => candidate.name === columnName);
    if (!column) throw new ColumnDatesError(`the ${source.source} contract has no column ${columnName}`);
    const extension = matchExtension(basename(path), source.extensions);
    if (!extension) {
      throw new ColumnDatesError(
        `cannot read ${path} for its batch date: its name ends with none of the ${source.source} contract's ` +
          `extensions (${source.extensions.join(", ")})`,
      );
    }
    const { format, compression } = fileTypeOf(extension);
    const gzip = compression === "gzip";
    try {
      let relation: string;
      let value: string;
      let typed = false;
      if (format === "csv") {
        const csv = source.csv ?? DEFAULT_CSV_OPTIONS;
        relation =
          `read_csv(${sqlText(path)}, header = ${csv.header}, delim = ${sqlText(csv.delimiter)}, ` +
          `quote = ${sqlText(csv.quote)}, escape = ${sqlText(csv.escape)}, encoding = ${sqlText(csvEncoding(csv.encoding))}, ` +
          `compression = '${gzip ? "gzip" : "none"}', all_varchar = true, ignore_errors = true, null_padding = true, strict_mode = false)`;
        const names = (await this.describe(relation)).map(({ name }) => name);
        const found = csv.header
          ? findColumn(names, column.name)
          : names[source.columns.findIndex((candidate) => candidate.name === column.name)];
        if (found === undefined) {
          throw new ColumnDatesError(
            csv.header
              ? `${path}: its header has no column ${column.name} (the ${source.source} contract's batch_date.column)`
              : `${path}: it has ${names.length} fields, fewer than the ${source.source} contract's columns up to ${column.name}`,
          );
        }
        value = ident(found);
      } else if (format === "jsonl") {
        relation =
          `read_json(${sqlText(path)}, format = 'newline_delimited', compression = '${gzip ? "gzip" : "uncompressed"}', ` +
          `columns = {${sqlText(column.name)}: 'VARCHAR'}, ignore_errors = true)`;
        value = ident(column.name);
      } else {
        relation = `read_parquet(${sqlText(path)})`;
        const described = await this.describe(relation);
        const found = findColumn(
          described.map(({ name }) => name),
          column.name,
        );
        const type = described.find(({ name }) => name === found)?.type ?? "";
        if (found === undefined) throw new ColumnDatesError(`${path}: it has no column ${column.name}`);
        typed = DATE_TYPES.test(type);
        value = typed || type === "VARCHAR" ? ident(found) : `CAST(${ident(found)} AS VARCHAR)`;
      }
      const nulls = [...new Set(["", ...source.null_values])].map(sqlText).join(", ");
      const missing = typed ? "value IS NULL" : `value IS NULL OR value IN (${nulls})`;
      const day = typed ? "CAST(value AS DATE)" : dateOfTextSql("value", column);
      const rows = await this.rows(
        `WITH raw AS (SELECT ${value} AS value FROM ${relation}),
              counted AS (SELECT value, count(*) AS n FROM raw GROUP BY value),
              dated AS (SELECT value, n, CASE WHEN ${missing} THEN NULL ELSE ${day} END AS day,
                               CASE WHEN ${missing} THEN 'empty' WHEN ${day} IS NULL THEN 'unparseable' ELSE 'dated' END AS kind
                        FROM counted)
         SELECT kind, strftime(day, '%Y-%m-%d') AS date, CAST(sum(n) AS BIGINT) AS rows,
                CAST(min(value) AS VARCHAR) AS example
         FROM dated GROUP BY kind, date ORDER BY kind, date`,
      );
      const count = (kind: string) =>
        rows.filter((row) => row.kind === kind).reduce((sum, row) => sum + Number(row.rows), 0);
      const unparseable = rows.find((row) => row.kind === "unparseable");
      return {
        dates: rows
          .filter((row) => row.kind === "dated")
          .map((row) => ({ date: String(row.date), rows: Number(row.rows) })),
        empty: count("empty"),
        unparseable: count("unparseable"),
        example: unparseable ? String(unparseable.example) : null,
      };
    } catch (error) {
      if (error instanceof ColumnDatesError) throw error;
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new ColumnDatesError(`cannot read ${path} for its batch date (as ${format}): ${message}`, {
        cause: error,
      });
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async describe(relation: string): Promise<{ name: string; type: string }[]> {
    return (await this.rows(`DESCRIBE SELECT * FROM ${relation}`)).map((row) => ({
      name: String(row.column_name),
      type: String(row.column_type),
    }));
  }

  private async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }
}
