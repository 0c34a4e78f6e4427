import { appendFile, cp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { curatedColumns, ENTITIES } from "../../src/contracts/entities.js";
import { MigrationChecksumError } from "../../src/warehouse/errors.js";
import { migrationPlan, NO_TRANSACTION_MARKER } from "../../src/warehouse/migrations.js";
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

  it("upgrades a warehouse holding data to 4-decimal money and 64-byte states (132-148), keeping every row", async () => {
    // The warehouse as it was before: every ddl migration up to 131.
    const before = await sqlCopy();
    for (const name of await readdir(join(before, "ddl"))) {
      if (Number(name.slice(0, 3)) >= 132) await rm(join(before, "ddl", name));
    }
    const path = join(await tempDir("db"), "warehouse.duckdb");
    const old = await open(before, path);
    await old.migrate(LOCAL_SETTINGS);
    const lineage = "'run-1', 's3://raw/x.csv', 2, TIMESTAMP '2017-01-05 10:00:00'";
    for (const sql of [
      `INSERT INTO staging.order_items VALUES ('o1', 1, 'p1', 's1', NULL, 2, 12.30, 4.05, TIMESTAMP '2017-01-05 09:00:00', ${lineage})`,
      `INSERT INTO staging.payments VALUES ('o1', 1, 'boleto', 1, 28.65, TIMESTAMP '2017-01-05 09:00:00', ${lineage})`,
      `INSERT INTO core.order_items VALUES ('o1', 1, 'p1', 's1', NULL, 2, 12.30, 4.05, TIMESTAMP '2017-01-05 09:00:00', '${"a".repeat(32)}', ${lineage})`,
      `INSERT INTO core.payments VALUES ('o1', 1, 'boleto', 1, 28.65, TIMESTAMP '2017-01-05 09:00:00', '${"b".repeat(32)}', ${lineage})`,
      "INSERT INTO star.fact_sales VALUES ('o1', 1, 20170105, -1, -1, -1, 2, 12.30, 24.60, 4.05)",
      "INSERT INTO star.fact_orders VALUES ('o1', 20170105, -1, 'delivered', TIMESTAMP '2017-01-05 09:00:00', NULL, NULL, NULL, NULL, 1, 24.60, 4.05, 28.65, NULL, NULL, NULL)",
      "INSERT INTO star.fact_payments VALUES ('o1', 1, 20170105, -1, -1, 1, 28.65)",
      "INSERT INTO ops.load_audit VALUES ('run-1', 'order_items', 's3://raw/x.csv', 1, 24.60, 4.05, NULL, TIMESTAMP '2017-01-05 10:00:00')",
      "INSERT INTO star.dim_seller VALUES (7, 's1', '01001', 'sao paulo', 'SP', TIMESTAMP '2017-01-01 00:00:00')",
    ]) {
      await old.query(sql);
    }

    const upgraded = await open(SQL_ROOT, path);
    const report = await upgraded.migrate(LOCAL_SETTINGS);
    const plan = await migrationPlan(new SqlFiles(SQL_ROOT));
    expect(report.applied).toEqual([
      ...plan
        .filter((m) => m.kind === "versioned" && Number(m.version.slice(4, 7)) >= 132)
        .map((m) => m.version),
      // The views 132 dropped come back, though their files did not change.
      ...plan.filter((m) => m.kind === "repeatable").map((m) => m.version),
    ]);
    const types = async (schema: string, table: string) =>
      (
        await upgraded.query(
          `SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
        )
      ).map((row) => `${row.column_name} ${row.data_type}`);
    // Staging: the money columns after the lineage columns, as the curated files write them.
    expect(await types("staging", "order_items")).toEqual(
      curatedColumns(ENTITIES.find((e) => e.name === "order_items") as (typeof ENTITIES)[number]).map(
        (c) =>
          `${c.name} ${({ string: "VARCHAR", int: "INTEGER", timestamp: "TIMESTAMP" } as Record<string, string>)[c.type] ?? c.type.toUpperCase()}`,
      ),
    );
    // Rebuilt tables: the columns in place, the money wider.
    expect(await types("star", "fact_sales")).toEqual([
      "order_id VARCHAR",
      "order_item_id INTEGER",
      "date_key INTEGER",
      "customer_key BIGINT",
      "product_key BIGINT",
      "seller_key BIGINT",
      "quantity INTEGER",
      "unit_price DECIMAL(18,4)",
      "revenue DECIMAL(18,4)",
      "freight_value DECIMAL(18,4)",
    ]);
    expect(
      await upgraded.query("SELECT unit_price, freight_value, _source_line FROM staging.order_items"),
    ).toEqual([{ unit_price: "12.3000", freight_value: "4.0500", _source_line: 2 }]);
    expect(await upgraded.query("SELECT payment_value FROM staging.payments_newest")).toEqual([
      { payment_value: "28.6500" },
    ]);
    expect(
      await upgraded.query(
        `SELECT i.unit_price, i.row_hash, p.payment_value, s.revenue, o.items_revenue, o.payments_total,
                f.payment_value AS paid, a.unit_price_sum
         FROM core.order_items AS i, core.payments AS p, star.fact_sales AS s, star.fact_orders AS o,
              star.fact_payments AS f, ops.load_audit AS a`,
      ),
    ).toEqual([
      {
        unit_price: "12.3000",
        row_hash: "a".repeat(32),
        payment_value: "28.6500",
        revenue: "24.6000",
        items_revenue: "24.6000",
        payments_total: "28.6500",
        paid: "28.6500",
        unit_price_sum: "24.6000",
      },
    ]);
    // Not NOT NULL lost, no default added by the rebuild.
    await expect(
      upgraded.query(
        "INSERT INTO star.fact_payments (order_id, payment_sequential, date_key, customer_key, payment_type_key) VALUES ('o2', 1, 1, 1, 1)",
      ),
    ).rejects.toThrow(/NOT NULL/);
    // The views are back and read the new types.
    expect(await upgraded.query("SELECT revenue FROM analytics.monthly_revenue")).toEqual([
      { revenue: "24.6000" },
    ]);
    await upgraded.query(
      "INSERT INTO star.dim_seller VALUES (8, 's2', '01002', 'x', 'Provence-Alpes-Côte d''Azur', TIMESTAMP '2017-01-01 00:00:00')",
    );
    expect(await upgraded.query("SELECT state FROM star.dim_seller ORDER BY seller_key")).toEqual([
      { state: "SP" },
      { state: "Provence-Alpes-Côte d'Azur" },
    ]);
    expect((await upgraded.migrate(LOCAL_SETTINGS)).applied).toEqual([]);
  });

  it("runs a no-transaction migration on its own and records it after it succeeded; one that fails is run again", async () => {
    const root = await sqlCopy();
    const path = join(await tempDir("db"), "warehouse.duckdb");
    await (await open(root, path)).migrate(LOCAL_SETTINGS);
    const file = join(root, "ddl/900_widen.sql");
    await writeFile(
      file,
      `${NO_TRANSACTION_MARKER}\n-- a test widening\nALTER TABLE star.dim_seller ALTER COLUMN city TYPE VARCHAR(512);\n`,
    );
    // The view that reads the column blocks it, as on Redshift: the migration fails and is not recorded.
    await (await open(root, path)).query("CREATE VIEW analytics.cities AS SELECT city FROM star.dim_seller");
    const blocked = await (await open(root, path)).migrate(LOCAL_SETTINGS).catch((caught: unknown) => caught);
    expect(String(blocked)).toMatch(
      /900_widen.sql: cannot drop or retype star\.dim_seller\.city because other objects depend on it: analytics\.cities/,
    );
    const warehouse = await open(root, path);
    expect(
      await warehouse.query(
        "SELECT count(*) AS n FROM ops.schema_migrations WHERE version = 'ddl/900_widen.sql'",
      ),
    ).toEqual([{ n: 0 }]);
    await warehouse.query("DROP VIEW analytics.cities");
    expect((await warehouse.migrate(LOCAL_SETTINGS)).applied).toEqual([
      "ddl/900_widen.sql",
      ...(await migrationPlan(new SqlFiles(root)))
        .filter((m) => m.kind === "repeatable")
        .map((m) => m.version),
    ]);
    expect(
      await warehouse.query(
        "SELECT count(*) AS n FROM ops.schema_migrations WHERE version = 'ddl/900_widen.sql'",
      ),
    ).toEqual([{ n: 1 }]);
  });

  it.each([
    [
      "ALTER COLUMN ... TYPE in a transactional migration",
      "ALTER TABLE star.dim_seller ALTER COLUMN city TYPE VARCHAR(512);",
      /cannot run inside a transaction block on Redshift; put it alone in a migration whose first line is "-- migration: no-transaction"/,
    ],
    [
      "a DECIMAL type change",
      `${NO_TRANSACTION_MARKER}\nALTER TABLE star.fact_sales ALTER COLUMN revenue TYPE DECIMAL(20, 4);`,
      /only to a wider VARCHAR, not to DECIMAL\(20, 4\)/,
    ],
    [
      "two statements without a transaction",
      `${NO_TRANSACTION_MARKER}\nALTER TABLE star.dim_seller ALTER COLUMN city TYPE VARCHAR(512);\nALTER TABLE star.dim_seller ALTER COLUMN state TYPE VARCHAR(512);`,
      /a no-transaction migration holds exactly one statement/,
    ],
    [
      "a NOT NULL column without a default",
      "ALTER TABLE star.dim_seller ADD COLUMN region VARCHAR(64) NOT NULL;",
      /ADD COLUMN region NOT NULL needs a DEFAULT on Redshift/,
    ],
    [
      "more statements than one BatchExecuteStatement",
      Array.from({ length: 38 }, () => "DROP VIEW IF EXISTS analytics.nothing;").join("\n"),
      /38 statements and the ledger's 3 exceed one transaction of 40/,
    ],
  ])("refuses %s before running anything", async (_what, sql, message) => {
    const root = await sqlCopy();
    const text = sql.startsWith(NO_TRANSACTION_MARKER) ? sql : `-- refused\n${sql}`;
    await writeFile(join(root, "ddl/900_refused.sql"), `${text}\n`);
    const warehouse = await open(root);
    await expect(warehouse.migrate(LOCAL_SETTINGS)).rejects.toThrow(message);
    expect(
      await warehouse.query(
        "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = 'star'",
      ),
    ).toEqual([{ n: 0 }]);
  });

  it("refuses, like Redshift, to drop a column a view reads, even in a migration's transaction", async () => {
    const root = await sqlCopy();
    await writeFile(
      join(root, "ddl/900_drop.sql"),
      "-- drops a column analytics.payment_mix reads\nALTER TABLE star.fact_payments DROP COLUMN installments;\n",
    );
    const path = join(await tempDir("db"), "warehouse.duckdb");
    await (await open(SQL_ROOT, path)).migrate(LOCAL_SETTINGS);
    await expect((await open(root, path)).migrate(LOCAL_SETTINGS)).rejects.toThrow(
      /cannot drop or retype star\.fact_payments\.installments because other objects depend on it: analytics\.payment_mix/,
    );
  });
});
