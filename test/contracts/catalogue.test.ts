/**
 * The entity catalogue (src/contracts/entities.ts) is the one description of the conformed entities: the
 * warehouse DDL (after every migration), the COPY JOBs, the merge steps and the Spark job's curated files follow
 * it. The Spark side reads the catalogue from the contract bundle, and spark/tests/test_job.py checks the curated
 * Parquet files' columns against the bundle's `curated_columns`; this file checks the SQL against the catalogue.
 * Adding an attribute to one place and not the others fails one of these tests, naming the table or step.
 */
import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  CURATED_LINEAGE_COLUMNS,
  curatedColumns,
  ENTITIES,
  type EntityColumnType,
  type EntityDefinition,
} from "../../src/contracts/entities.js";
import { parseCopyJob } from "../../src/warehouse/copy-jobs.js";
import { fillPlaceholders } from "../../src/warehouse/sql-files.js";
import { LOCAL_SETTINGS } from "../warehouse/support/warehouse.js";

interface TableColumn {
  readonly name: string;
  /** The Redshift type as written in the DDL, normalized: `VARCHAR(64)`, `DECIMAL(12,2)`, `INTEGER`, ... */
  readonly type: string;
  readonly notNull: boolean;
}

const COLUMN =
  /^\s*([a-z_][a-z0-9_]*)\s+(VARCHAR\(\d+\)|CHAR\(\d+\)|DECIMAL\(\d+,\s*\d+\)|DOUBLE PRECISION|INTEGER|BIGINT|SMALLINT|TIMESTAMP|BOOLEAN|DATE)(\s+NOT NULL)?/i;

const withoutComments = (sql: string): string => sql.replace(/--[^\n]*/g, "");

const parseColumn = (line: string): TableColumn | undefined => {
  const match = COLUMN.exec(line);
  if (!match) return undefined;
  return {
    name: (match[1] as string).toLowerCase(),
    type: (match[2] as string).toUpperCase().replace(/\s+/g, ""),
    notNull: match[3] !== undefined,
  };
};

/**
 * Every table as the migrations leave it: `CREATE TABLE` files and then each `ALTER TABLE ... ADD COLUMN`
 * (which Redshift appends after the existing columns), applied in file-name order as the migrator does.
 */
const tablesAfterMigrations = async (): Promise<Map<string, TableColumn[]>> => {
  const tables = new Map<string, TableColumn[]>();
  for (const name of (await readdir("sql/ddl")).filter((file) => file.endsWith(".sql")).sort()) {
    const sql = withoutComments(await readFile(`sql/ddl/${name}`, "utf8"));
    const created = /CREATE TABLE IF NOT EXISTS\s+([a-z_]+\.[a-z_]+)\s*\(([\s\S]*?)\n\)/i.exec(sql);
    if (created) {
      const columns = (created[2] as string)
        .split("\n")
        .map(parseColumn)
        .filter((column): column is TableColumn => column !== undefined);
      tables.set((created[1] as string).toLowerCase(), columns);
    }
    for (const altered of sql.matchAll(/ALTER TABLE\s+([a-z_]+\.[a-z_]+)\s+ADD COLUMN\s+([^;]+);/gi)) {
      const table = (altered[1] as string).toLowerCase();
      const column = parseColumn(altered[2] as string);
      const columns = tables.get(table);
      if (!columns || !column) throw new Error(`sql/ddl/${name}: cannot apply ${altered[0]}`);
      columns.push(column);
    }
  }
  return tables;
};

const TABLES = await tablesAfterMigrations();

const tableColumns = (table: string): TableColumn[] => {
  const columns = TABLES.get(table);
  if (!columns) throw new Error(`no table ${table} in sql/ddl`);
  return columns;
};

/** The Redshift type of a catalogue column. */
const redshiftType = (type: EntityColumnType, maxLength: number | undefined): string => {
  if (type === "string") return `VARCHAR(${maxLength ?? "?"})`;
  if (type === "int") return "INTEGER";
  if (type === "timestamp") return "TIMESTAMP";
  return type.toUpperCase();
};

const LINEAGE_TYPES: Record<string, string> = {
  _run_id: "VARCHAR(128)",
  _source_file: "VARCHAR(1024)",
  _source_line: "INTEGER",
  _ingested_at: "TIMESTAMP",
};

const catalogueType = (entity: EntityDefinition, name: string): string => {
  const column = entity.columns.find((candidate) => candidate.name === name);
  if (!column) return LINEAGE_TYPES[name] ?? "?";
  return redshiftType(column.type, column.maxLength);
};

const mergeFiles = async (): Promise<Map<string, string>> => {
  const files = new Map<string, string>();
  for (const name of (await readdir("sql/merge")).sort()) {
    files.set(name, withoutComments(await readFile(`sql/merge/${name}`, "utf8")));
  }
  return files;
};

const MERGE = await mergeFiles();

/** The merge step inserting into `table`, and its INSERT column list. */
const mergeInsert = (table: string): { file: string; sql: string; columns: string[] } => {
  const pattern = new RegExp(`INSERT INTO ${table.replace(".", "\\.")}\\s*\\(([^)]*)\\)`, "i");
  for (const [file, sql] of MERGE) {
    const match = pattern.exec(sql);
    if (match) {
      const columns = (match[1] as string).split(",").map((column) => column.trim().toLowerCase());
      return { file, sql, columns };
    }
  }
  throw new Error(`no merge step inserts into ${table}`);
};

/** The text of the MD5(...) expression that computes `alias` in a SQL text. */
const hashExpression = (sql: string, alias: string): string => {
  const end = sql.search(new RegExp(`\\)\\s+AS\\s+${alias}\\b`, "i"));
  const start = sql.lastIndexOf("MD5(", end);
  if (end < 0 || start < 0) throw new Error(`no MD5(...) AS ${alias}`);
  return sql.slice(start, end);
};

const mentions = (sql: string, column: string): boolean => new RegExp(`\\b${column}\\b`, "i").test(sql);

const DIMENSIONS = ENTITIES.filter((entity) => entity.dimension !== undefined);
const FACTS = ENTITIES.filter((entity) => entity.dedupeKey.length === entity.key.length);

describe("the warehouse follows the entity catalogue (src/contracts/entities.ts)", () => {
  it("catalogue: appended columns are nullable or defaulted, and lineage names are the curated lineage", () => {
    for (const entity of ENTITIES) {
      for (const column of entity.columns.filter((c) => c.appended)) {
        expect({ entity: entity.name, column: column.name, optional: column.nullable }).toEqual({
          entity: entity.name,
          column: column.name,
          optional: true,
        });
      }
    }
    expect(Object.keys(LINEAGE_TYPES)).toEqual([...CURATED_LINEAGE_COLUMNS]);
  });

  it.each(ENTITIES.map((entity) => entity.name))(
    "staging.%s after migrations is the curated file's columns in order, with the catalogue's types, widths and nullability",
    (name) => {
      const entity = ENTITIES.find((candidate) => candidate.name === name) as EntityDefinition;
      const expected = curatedColumns(entity).map((column) => ({
        name: column.name,
        type: catalogueType(entity, column.name),
        notNull: !column.nullable,
      }));
      expect(tableColumns(`staging.${name}`)).toEqual(expected);
    },
  );

  it.each(ENTITIES.map((entity) => entity.name))(
    "core.%s after migrations holds every catalogue column with its type, and the merge inserts all of them",
    (name) => {
      const entity = ENTITIES.find((candidate) => candidate.name === name) as EntityDefinition;
      const core = tableColumns(`core.${name}`);
      for (const column of entity.columns) {
        expect({ column: column.name, type: core.find((c) => c.name === column.name)?.type }).toEqual({
          column: column.name,
          type: catalogueType(entity, column.name),
        });
      }
      const extra = core
        .map((column) => column.name)
        .filter((column) => !entity.columns.some((c) => c.name === column))
        .sort();
      // Observations (dimensions: every version counts) carry attr_hash, latest rows (facts) row_hash.
      const hash = entity.dedupeKey.length > entity.key.length ? "attr_hash" : "row_hash";
      expect(extra).toEqual([...CURATED_LINEAGE_COLUMNS, hash].sort());
      const insert = mergeInsert(`core.${name}`);
      expect({ file: insert.file, columns: [...insert.columns].sort() }).toEqual({
        file: insert.file,
        columns: core.map((column) => column.name).sort(),
      });
    },
  );

  it.each(ENTITIES.map((entity) => entity.name))(
    "COPY JOB staging_%s loads its entity's load prefix into the staging table by position (no column list)",
    async (name) => {
      const file = {
        name: `copy-jobs/${name}.sql`,
        sql: await readFile(`sql/copy-jobs/${name}.sql`, "utf8"),
      };
      const filled = fillPlaceholders(file, LOCAL_SETTINGS);
      const sql = withoutComments(filled.sql).replace(/;\s*$/, "");
      const job = parseCopyJob({ name: `copy-jobs/${name}.sql`, sql });
      expect({ name: job.name, table: job.table, source: job.source }).toEqual({
        name: `staging_${name}`,
        table: `staging.${name}`,
        source: `s3://${LOCAL_SETTINGS.load_bucket}/${name}/`,
      });
    },
  );

  it.each(FACTS.map((entity) => entity.name))(
    "%s: the merge's row_hash (the staging view of the newest rows, latest migration) covers every catalogue column",
    async (name) => {
      const entity = ENTITIES.find((candidate) => candidate.name === name) as EntityDefinition;
      const views = (await readdir("sql/ddl"))
        .sort()
        .filter(
          (file) =>
            file.endsWith(`_staging_${name}_newest.sql`) ||
            file.endsWith(`_staging_${name}_newest_per_file.sql`),
        );
      const latest = views.at(-1);
      expect(latest).toBeDefined();
      const hash = hashExpression(withoutComments(await readFile(`sql/ddl/${latest}`, "utf8")), "row_hash");
      expect(entity.columns.map((c) => c.name).filter((column) => !mentions(hash, column))).toEqual([]);
    },
  );

  it.each(DIMENSIONS.map((entity) => [entity.dimension?.table, entity.name]))(
    "star.%s carries the %s attributes with their types, tracks each in attr_hash, and its merge step fills them",
    (table, name) => {
      const entity = ENTITIES.find((candidate) => candidate.name === name) as EntityDefinition;
      const dimension = entity.dimension as NonNullable<EntityDefinition["dimension"]>;
      const star = tableColumns(`star.${table}`);
      const carried = [...dimension.attributes, ...(dimension.carried ?? [])];
      for (const column of carried) {
        expect({ column, type: star.find((c) => c.name === column)?.type }).toEqual({
          column,
          type: catalogueType(entity, column),
        });
      }
      // A star column named like an entity column is one the catalogue lists (key, attribute or carried).
      const unlisted = star
        .map((column) => column.name)
        .filter((column) => entity.columns.some((c) => c.name === column))
        .filter((column) => !carried.includes(column) && !entity.key.includes(column))
        .filter((column) => !(name === "customers" && column === "customer_unique_id"))
        .filter((column) => column !== "effective_at");
      expect(unlisted).toEqual([]);
      const hash = hashExpression(mergeInsert(`core.${name}`).sql, "attr_hash");
      expect(dimension.attributes.filter((column) => !mentions(hash, column))).toEqual([]);
      const build = mergeInsert(`star.${table}`);
      expect(carried.filter((column) => !build.columns.includes(column))).toEqual([]);
    },
  );
});
