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
  MONEY_SCALE,
  MONEY_TYPE,
} from "../../src/contracts/entities.js";
import { parseCopyJob } from "../../src/warehouse/copy-jobs.js";
import { fillPlaceholders } from "../../src/warehouse/sql-files.js";
import { splitStatements } from "../../src/warehouse/sql-text.js";
import { LOCAL_SETTINGS } from "../warehouse/support/warehouse.js";

interface TableColumn {
  readonly name: string;
  /** The Redshift type as written in the DDL, normalized: `VARCHAR(64)`, `DECIMAL(12,2)`, `INTEGER`, ... */
  readonly type: string;
  readonly notNull: boolean;
}

const COLUMN =
  /^\s*([a-z_][a-z0-9_]*)\s+(VARCHAR\(\d+\)|CHAR\(\d+\)|DECIMAL\(\d+,\s*\d+\)|DOUBLE PRECISION|INTEGER|BIGINT|SMALLINT|TIMESTAMP|BOOLEAN|DATE)(?=\s|,|$)(.*)$/i;

const withoutComments = (sql: string): string => sql.replace(/--[^\n]*/g, "");

const parseColumn = (line: string): TableColumn | undefined => {
  const match = COLUMN.exec(line);
  if (!match) return undefined;
  return {
    name: (match[1] as string).toLowerCase(),
    type: (match[2] as string).toUpperCase().replace(/\s+/g, ""),
    // `<name> <type> NOT NULL ...` (CREATE TABLE), `<name> <type> [DEFAULT d] [ENCODE e] NOT NULL` (ADD COLUMN)
    notNull: /\bNOT NULL\b/i.test(match[3] as string),
  };
};

/** A column's type as the DDL writes it, e.g. `VARCHAR(64)`: its width (undefined for other types). */
const widthOf = (type: string): number | undefined => {
  const match = /^VARCHAR\((\d+)\)$/.exec(type);
  return match ? Number(match[1]) : undefined;
};

/**
 * Every table as the migrations leave it, and the latest definition of every view: the statements of the ddl
 * files applied in file-name order, as the migrator does. Tables: `CREATE TABLE`, then `ALTER TABLE ... ADD
 * COLUMN` (which Redshift appends after the existing columns), `DROP COLUMN`, `RENAME COLUMN ... TO`, `ALTER
 * COLUMN ... TYPE` (a wider VARCHAR only), `DROP TABLE` and `ALTER TABLE ... RENAME TO`.
 */
const warehouseAfterMigrations = async (): Promise<{
  tables: Map<string, TableColumn[]>;
  created: Map<string, TableColumn[]>;
  views: Map<string, { file: string; sql: string }>;
}> => {
  const tables = new Map<string, TableColumn[]>();
  const created = new Map<string, TableColumn[]>();
  const views = new Map<string, { file: string; sql: string }>();
  const T = "([a-z_]+\\.[a-z_]+)";
  for (const name of (await readdir("sql/ddl")).filter((file) => file.endsWith(".sql")).sort()) {
    for (const statement of splitStatements(await readFile(`sql/ddl/${name}`, "utf8"), name)) {
      const sql = withoutComments(statement).trim();
      const fail = (problem: string) => new Error(`sql/ddl/${name}: ${problem}: ${sql.slice(0, 120)}`);
      const columnsOf = (table: string) => {
        const columns = tables.get(table);
        if (!columns) throw fail(`no table ${table}`);
        return columns;
      };
      const indexOf = (columns: TableColumn[], column: string) => {
        const index = columns.findIndex((candidate) => candidate.name === column);
        if (index < 0) throw fail(`no column ${column}`);
        return index;
      };
      const lower = (match: RegExpExecArray, group: number) => (match[group] as string).toLowerCase();
      const changes: readonly [RegExp, (match: RegExpExecArray) => void][] = [
        [
          new RegExp(`^CREATE TABLE (IF NOT EXISTS )?${T}\\s*\\(([\\s\\S]*?)\\n\\)`, "i"),
          (match) => {
            const table = lower(match, 2);
            if (match[1] && tables.has(table)) return;
            if (tables.has(table)) throw fail(`table ${table} exists`);
            const columns = (match[3] as string)
              .split("\n")
              .map(parseColumn)
              .filter((column): column is TableColumn => column !== undefined);
            tables.set(table, columns);
            if (!created.has(table)) created.set(table, [...columns]);
          },
        ],
        [
          new RegExp(`^CREATE (?:OR REPLACE )?VIEW ${T}`, "i"),
          (match) => views.set(lower(match, 1), { file: name, sql }),
        ],
        [
          new RegExp(`^ALTER TABLE ${T} ADD COLUMN ([\\s\\S]+)$`, "i"),
          (match) => {
            const column = parseColumn(match[2] as string);
            if (!column) throw fail("cannot parse the column");
            // Redshift needs a value for the existing rows of a NOT NULL column it adds.
            if (column.notNull && !/\bDEFAULT\b/i.test(match[2] as string))
              throw fail("NOT NULL without DEFAULT");
            columnsOf(lower(match, 1)).push(column);
          },
        ],
        [
          new RegExp(`^ALTER TABLE ${T} DROP COLUMN ([a-z_]+)$`, "i"),
          (match) => {
            const columns = columnsOf(lower(match, 1));
            columns.splice(indexOf(columns, lower(match, 2)), 1);
          },
        ],
        [
          new RegExp(`^ALTER TABLE ${T} RENAME COLUMN ([a-z_]+) TO ([a-z_]+)$`, "i"),
          (match) => {
            const columns = columnsOf(lower(match, 1));
            const to = lower(match, 3);
            if (columns.some((column) => column.name === to)) throw fail(`column ${to} exists`);
            const index = indexOf(columns, lower(match, 2));
            columns[index] = { ...(columns[index] as TableColumn), name: to };
          },
        ],
        [
          new RegExp(`^ALTER TABLE ${T} ALTER COLUMN ([a-z_]+) TYPE (.+)$`, "i"),
          (match) => {
            const columns = columnsOf(lower(match, 1));
            const index = indexOf(columns, lower(match, 2));
            const before = columns[index] as TableColumn;
            const type = (match[3] as string).toUpperCase().replace(/\s+/g, "");
            const [from, to] = [widthOf(before.type), widthOf(type)];
            // Redshift changes a type only to widen a VARCHAR.
            if (from === undefined || to === undefined || to < from) {
              throw fail(`not a wider VARCHAR than ${before.type}`);
            }
            columns[index] = { ...before, type };
          },
        ],
        [
          new RegExp(`^DROP TABLE ${T}$`, "i"),
          (match) => {
            if (!tables.delete(lower(match, 1))) throw fail("no such table");
          },
        ],
        [
          new RegExp(`^ALTER TABLE ${T} RENAME TO ([a-z_]+)$`, "i"),
          (match) => {
            const from = lower(match, 1);
            const to = `${from.split(".")[0]}.${lower(match, 2)}`;
            if (tables.has(to)) throw fail(`table ${to} exists`);
            tables.set(to, columnsOf(from));
            tables.delete(from);
          },
        ],
      ];
      const change = changes.find(([pattern]) => pattern.test(sql));
      if (change) change[1](change[0].exec(sql) as RegExpExecArray);
      else if (/^(ALTER TABLE|CREATE TABLE)\b/i.test(sql))
        throw fail("a table change this model does not know");
    }
  }
  return { tables, created, views };
};

const { tables: TABLES, created: CREATED, views: VIEWS } = await warehouseAfterMigrations();

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
  it("catalogue: an appended column is optional unless it was in the first release (added again with a new type), and lineage names are the curated lineage", () => {
    for (const entity of ENTITIES) {
      const firstRelease = CREATED.get(`staging.${entity.name}`)?.map((column) => column.name) ?? [];
      for (const column of entity.columns.filter((c) => c.appended)) {
        // A new column must not break the contracts written before it: nullable, or with a default.
        expect({
          entity: entity.name,
          column: column.name,
          optional: column.nullable || column.default !== undefined || firstRelease.includes(column.name),
        }).toEqual({ entity: entity.name, column: column.name, optional: true });
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
    "%s: the merge's row_hash (the staging view of the newest rows, as the latest migration made it) covers every catalogue column",
    (name) => {
      const entity = ENTITIES.find((candidate) => candidate.name === name) as EntityDefinition;
      const view = VIEWS.get(`staging.${name}_newest`);
      expect(view).toBeDefined();
      const hash = hashExpression(view?.sql ?? "", "row_hash");
      expect(entity.columns.map((c) => c.name).filter((column) => !mentions(hash, column))).toEqual([]);
    },
  );

  it("money keeps its type wherever the warehouse stores it or a total of it: star facts and the load audit", () => {
    const money = redshiftType(MONEY_TYPE, undefined);
    const stored: Record<string, string[]> = {
      "star.fact_sales": ["unit_price", "revenue", "freight_value"],
      "star.fact_orders": ["items_revenue", "freight_total", "payments_total"],
      "star.fact_payments": ["payment_value"],
    };
    const moneyColumns = ENTITIES.flatMap((entity) => entity.columns).filter((c) => c.type === MONEY_TYPE);
    expect(moneyColumns.map((c) => c.name)).toEqual(["unit_price", "freight_value", "payment_value"]);
    for (const [table, columns] of Object.entries(stored)) {
      const found = tableColumns(table);
      for (const column of columns) {
        expect({ table, column, type: found.find((c) => c.name === column)?.type }).toEqual({
          table,
          column,
          type: money,
        });
      }
    }
    // The audit keeps a merge's sums at the money's scale (DECIMAL(38, s): SUM's precision on Redshift).
    const audit = tableColumns("ops.load_audit");
    for (const column of moneyColumns) {
      expect({
        column: `${column.name}_sum`,
        type: audit.find((c) => c.name === `${column.name}_sum`)?.type,
      }).toEqual({
        column: `${column.name}_sum`,
        type: `DECIMAL(38,${MONEY_SCALE})`,
      });
    }
    expect(money).toBe(`DECIMAL(18,${MONEY_SCALE})`);
  });

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
