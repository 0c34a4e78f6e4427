import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { PipelineError } from "../../errors.js";

/** The rows a Parquet read returned, and how many matched before the limit. */
export interface ParquetRows {
  /** Read by column name over every file: a column some other file has is null in a row. */
  readonly rows: Record<string, unknown>[];
  readonly matched: number;
  /** The index (in the files given) of the file each row came from. */
  readonly fileIndexes: number[];
  /** Each file's own columns, in its order. */
  readonly columns: string[][];
}

/** Reading Parquet files with DuckDB failed (a file that is not Parquet, a filter on a column no file has). */
export class ParquetReadError extends PipelineError {}

const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Reads Parquet files given as bytes (whatever store they came from: the local folders or S3 through the object
 * store port) with an in-memory DuckDB: the files are written to a temporary folder, read together by column name
 * (a column one file lacks is null in its rows), filtered by equality on text columns, sorted by `orderBy` then
 * file order, at most `limit` rows. Each row carries the index of the file it came from (`fileIndex`).
 *
 * @example
 *   const { rows, matched } = await readParquet([bytes], { equals: { _reason: "invalid_type" }, limit: 20 });
 */
export const readParquet = async (
  files: readonly Uint8Array[],
  options: {
    readonly equals?: Readonly<Record<string, string>>;
    /** Columns to sort by before the file order (every file must have them). */
    readonly orderBy?: readonly string[];
    readonly limit: number;
  },
): Promise<ParquetRows> => {
  if (files.length === 0) return { rows: [], matched: 0, fileIndexes: [], columns: [] };
  const folder = await mkdtemp(join(tmpdir(), "pipeline-parquet-"));
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    const paths: string[] = [];
    for (const [index, bytes] of files.entries()) {
      const path = join(folder, `${String(index).padStart(6, "0")}.parquet`);
      await writeFile(path, bytes);
      paths.push(path);
    }
    const source = `read_parquet([${paths.map(quote).join(", ")}], union_by_name = true, filename = '_file_path', file_row_number = true)`;
    const names = Object.keys(options.equals ?? {});
    const where = names.length
      ? `WHERE ${names.map((name, i) => `${ident(name)} = $${i + 1}`).join(" AND ")}`
      : "";
    const values = names.map((name) => options.equals?.[name] ?? "");
    const filtered = `SELECT * FROM ${source} ${where}`;
    const order = [...(options.orderBy ?? []).map(ident), "_file_path", "file_row_number"].join(", ");
    const run = async (sql: string) => {
      const reader = await connection.runAndReadAll(sql, values);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    };
    const [count] = await run(`SELECT count(*) AS n FROM (${filtered})`);
    const rows = await run(`${filtered} ORDER BY ${order} LIMIT ${Math.max(0, Math.trunc(options.limit))}`);
    const fileIndexes = rows.map((row) => paths.indexOf(String(row._file_path)));
    const columns: string[][] = [];
    for (const path of paths) {
      const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quote(path)})`);
      columns.push(described.getRowObjectsJS().map((row) => String(row.column_name)));
    }
    for (const row of rows) {
      delete row._file_path;
      delete row.file_row_number;
    }
    return { rows, matched: Number(count?.n ?? 0), fileIndexes, columns };
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new ParquetReadError(`reading Parquet: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(folder, { recursive: true, force: true });
  }
};
