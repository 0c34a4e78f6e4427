import { appendFile, cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { curatedColumns, ENTITIES } from "../../src/contracts/entities.js";
import { MigrationChecksumError } from "../../src/warehouse/errors.js";
import { migrationPlan } from "../../src/warehouse/migrations.js";
import { SqlFiles } from "../../src/warehouse/sql-files.js";
import { LOCAL_SETTINGS, openWarehouse, SQL_ROOT, tempDir } from "./support/warehouse.js";

const opened: DuckDbWarehouse[] = [];
/** A warehouse over `sqlRoot`; on `path`, a database file that another adapter may open too. */
const open = async (sqlRoot = SQL_ROOT, path = ":memory:") => {
  const warehouse = await openWarehouse(await tempDir("load"), { sqlRoot, path });
  opened.push(warehouse);
  return warehouse;
};
afterEach(async () => {
  for (const warehouse of opened.splice(0)) await warehouse.close();
});

/** A private copy of sql/ that a test may edit. */
const sqlCopy = async (): Promise<string> => {
  const root = join(await tempDir("sql"), "sql");
  await cp(SQL_ROOT, root, { recursive: true });
  return root;
};

describe("runMigrations on DuckDB", () => {
  it("applies every migration once, in order, recording each in the ledger; a second run changes nothing", async () => {
    const warehouse = await open();
    const plan = await migrationPlan(new SqlFiles(SQL_ROOT));
    const first = await warehouse.migrate(LOCAL_SETTINGS);
    expect(first).toEqual({ applied: plan.map((m) => m.version), unchanged: [], adopted: [] });
    expect(plan.map((m) => m.version.split("/")[0])).toEqual([
      ...plan.filter((m) => m.kind === "versioned").map(() => "ddl"),
      ...plan.filter((m) => m.kind === "copy-job").map(() => "copy-jobs"),
      ...plan.filter((m) => m.kind === "repeatable").map(() => "analytics"),
    ]);
    const ledger = await warehouse.query(
      "SELECT version, kind, checksum FROM ops.schema_migrations ORDER BY version",
    );
    expect(ledger).toEqual(
      plan
        .map((m) => ({ version: m.version, kind: m.kind, checksum: m.checksum }))
        .sort((a, b) => (a.version < b.version ? -1 : 1)),
    );
    const second = await warehouse.migrate(LOCAL_SETTINGS);
    expect(second).toEqual({ applied: [], unchanged: plan.map((m) => m.version), adopted: [] });
    expect(await warehouse.query("SELECT count(*) AS n FROM ops.schema_migrations")).toEqual([
      { n: plan.length },
    ]);
    expect(await warehouse.query("SELECT count(*) AS n FROM star.dim_date")).toEqual([{ n: 10_000 }]);
  });

  it("creates staging tables whose columns are the curated Parquet columns, in order", async () => {
    const warehouse = await open();
    await warehouse.migrate(LOCAL_SETTINGS);
    const typeOf = { string: "VARCHAR", int: "INTEGER", timestamp: "TIMESTAMP" } as Record<string, string>;
    for (const entity of ENTITIES) {
      const columns = await warehouse.query(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = 'staging' AND table_name = '${entity.name}' ORDER BY ordinal_position`,
      );
      expect(columns, entity.name).toEqual(
        curatedColumns(entity).map((column) => ({
          column_name: column.name,
          data_type: typeOf[column.type] ?? column.type.toUpperCase(),
        })),
      );
    }
  });

  it("refuses an applied ddl file whose checksum changed, and runs nothing after it", async () => {
    const root = await sqlCopy();
    const path = join(await tempDir("db"), "warehouse.duckdb");
    await (await open(SQL_ROOT, path)).migrate(LOCAL_SETTINGS);
    await appendFile(join(root, "ddl/011_staging_customers.sql"), "-- edited after it was applied\n");
    await writeFile(
      join(root, "ddl/099_later.sql"),
      "-- a new migration after the edited one\nCREATE TABLE IF NOT EXISTS ops.later (x INTEGER);\n",
    );
    const edited = await open(root, path);
    const error = await edited.migrate(LOCAL_SETTINGS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationChecksumError);
    expect((error as MigrationChecksumError).version).toBe("ddl/011_staging_customers.sql");
    expect(
      await edited.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'later'"),
    ).toEqual([{ n: 0 }]);
  });

  it("re-applies a changed analytics view, and adopts a COPY JOB that exists but is missing from the ledger", async () => {
    const root = await sqlCopy();
    const path = join(await tempDir("db"), "warehouse.duckdb");
    const warehouse = await open(SQL_ROOT, path);
    await warehouse.migrate(LOCAL_SETTINGS);
    const view = join(root, "analytics/payment_mix.sql");
    await writeFile(
      view,
      (await readFile(view, "utf8")).replace("by_type.orders,", "by_type.orders AS order_count,"),
    );
    await warehouse.query("DELETE FROM ops.schema_migrations WHERE version = 'copy-jobs/orders.sql'");
    const again = await open(root, path);
    expect(await again.migrate(LOCAL_SETTINGS)).toMatchObject({
      applied: ["analytics/payment_mix.sql"],
      adopted: ["copy-jobs/orders.sql"],
    });
    const columns = await again.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'payment_mix' ORDER BY ordinal_position",
    );
    expect(columns.map((row) => row.column_name)).toContain("order_count");
    expect(await again.query("SELECT count(*) AS n FROM main.sys_copy_job")).toEqual([
      { n: ENTITIES.length },
    ]);
  });

  it("validates its settings before touching the database", async () => {
    const warehouse = await open();
    await expect(warehouse.migrate({ ...LOCAL_SETTINGS, load_bucket: "bad.bucket" })).rejects.toThrow(
      /load_bucket/,
    );
    expect(
      await warehouse.query(
        "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = 'ops'",
      ),
    ).toEqual([{ n: 0 }]);
  });
});
