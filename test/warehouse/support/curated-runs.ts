import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { curatedColumns, ENTITIES, type EntityColumnType } from "../../../src/contracts/entities.js";
import { objectVersion } from "../../../src/core/versions.js";
import type { LoadedObject } from "../../../src/ports/warehouse.js";

/**
 * Turns the generator's expected curated rows (`expected/curated/<entity>/dt=<day>.jsonl`: what a correct Spark
 * run over that day writes) into curated Parquet files shaped exactly like the Spark job's: the entity's
 * columns in contract order, then `_run_id`, `_source_file`, `_source_line`, `_ingested_at`.
 */
export const DUCKDB_TYPE: Record<EntityColumnType, string> = {
  string: "VARCHAR",
  int: "INTEGER",
  timestamp: "TIMESTAMP",
  "decimal(18,4)": "DECIMAL(18,4)",
  "decimal(10,2)": "DECIMAL(10,2)",
};

export const INGESTED_AT = "2026-01-01 00:00:00";

/** One run of the generated dataset: one day of curated rows, as Parquet, by entity. */
export interface CuratedRun {
  readonly runId: string;
  readonly day: string;
  /** entity -> Parquet file holding the run's rows of that entity (absent when the day has none). */
  readonly files: ReadonlyMap<string, string>;
  /** The raw file versions the run loads, per entity (what Merge gets from the plan). */
  readonly objects: readonly LoadedObject[];
}

/** The version token of the n-th upload of the test data (one second apart, no sequencer). */
export const testVersion = (n: number): string =>
  objectVersion(new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString());

export const runIdOf = (day: string, suffix = "a"): string => `run-${day.replaceAll("-", "")}-${suffix}`;

/**
 * Writes `<outDir>/<runId>/<entity>.parquet` for every day of a generated dataset and returns the runs, by day.
 *
 * @example
 *   const runs = await curatedRuns("/tmp/gen", "/tmp/parquet");
 */
export const curatedRuns = async (
  generatedDir: string,
  outDir: string,
  runIdFor: (day: string) => string = (day) => runIdOf(day),
  version: string = testVersion(1),
): Promise<CuratedRun[]> => {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const byDay = new Map<string, Map<string, string>>();
  const objectsByDay = new Map<string, LoadedObject[]>();
  try {
    for (const entity of ENTITIES) {
      const folder = join(generatedDir, "expected", "curated", entity.name);
      let names: string[] = [];
      try {
        names = (await readdir(folder)).filter((name) => name.endsWith(".jsonl")).sort();
      } catch {
        continue;
      }
      const columns = [
        ...entity.columns.map((column) => [column.name, DUCKDB_TYPE[column.type]] as const),
        ["_source_file", "VARCHAR"] as const,
        ["_source_line", "INTEGER"] as const,
      ];
      const columnsSpec = `{${columns.map(([name, type]) => `'${name}': '${type}'`).join(", ")}}`;
      for (const name of names) {
        const day = /dt=(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name)?.[1];
        if (!day) continue;
        const runId = runIdFor(day);
        const target = join(outDir, runId, `${entity.name}.parquet`);
        await mkdir(join(outDir, runId), { recursive: true });
        const lineage: Record<string, string> = {
          _run_id: `CAST('${runId}' AS VARCHAR) AS _run_id`,
          _ingested_at: `TIMESTAMP '${INGESTED_AT}' AS _ingested_at`,
        };
        const select = curatedColumns(entity)
          .map((column) => lineage[column.name] ?? column.name)
          .join(", ");
        const source = join(folder, name).replaceAll("'", "''");
        const reader = await connection.runAndReadAll(
          `SELECT count(*) AS n FROM read_json('${source}', format = 'newline_delimited', columns = ${columnsSpec})`,
        );
        if (Number(reader.getRowObjectsJson()[0]?.n ?? 0) === 0) continue;
        await connection.run(
          `COPY (SELECT ${select} FROM read_json('${source}', format = 'newline_delimited', columns = ${columnsSpec}))
           TO '${target.replaceAll("'", "''")}' (FORMAT PARQUET)`,
        );
        const files = byDay.get(day) ?? new Map<string, string>();
        files.set(entity.name, target);
        byDay.set(day, files);
        const sources = await connection.runAndReadAll(
          `SELECT DISTINCT _source_file FROM read_parquet('${target.replaceAll("'", "''")}') ORDER BY 1`,
        );
        const objects = objectsByDay.get(day) ?? [];
        for (const row of sources.getRowObjectsJson()) {
          objects.push({ sourceFile: String(row._source_file), entity: entity.name, version });
        }
        objectsByDay.set(day, objects);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, files]) => ({ runId: runIdFor(day), day, files, objects: objectsByDay.get(day) ?? [] }));
};

export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true });

/** Copies a run's files into a load bucket folder as `<entity>/<run_id>/part-0.parquet` (what Publish does). */
export const publish = async (run: CuratedRun, loadDir: string): Promise<string[]> => {
  const { copyFile } = await import("node:fs/promises");
  const keys: string[] = [];
  for (const [entity, file] of run.files) {
    const key = `${entity}/${run.runId}/part-0.parquet`;
    await mkdir(join(loadDir, entity, run.runId), { recursive: true });
    await copyFile(file, join(loadDir, key));
    keys.push(key);
  }
  return keys.sort();
};
