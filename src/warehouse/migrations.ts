import type { MigrationKind, MigrationReport, SqlParams, WarehouseSettings } from "../ports/warehouse.js";
import { parseCopyJob } from "./copy-jobs.js";
import type { SqlEngine } from "./engine.js";
import { MigrationChecksumError } from "./errors.js";
import {
  fillPlaceholders,
  type SqlFile,
  type SqlFiles,
  type SqlStatement,
  validateSettings,
} from "./sql-files.js";

/** One migration = one SQL file; its version is its path under `sql/`. */
export interface Migration {
  readonly version: string;
  readonly kind: MigrationKind;
  readonly checksum: string;
  readonly file: SqlFile;
}

/**
 * Folders in the order they apply, and how: `ddl/` files are versioned (applied once, never edited),
 * `copy-jobs/` create auto-copy jobs outside any transaction, `analytics/` views are repeatable (re-applied
 * whenever the file changes, like Flyway's R__ migrations).
 */
const FOLDERS: readonly { folder: "ddl" | "copy-jobs" | "analytics"; kind: MigrationKind }[] = [
  { folder: "ddl", kind: "versioned" },
  { folder: "copy-jobs", kind: "copy-job" },
  { folder: "analytics", kind: "repeatable" },
];

/** The ledger's own DDL, run (idempotently) before the ledger is read. */
const BOOTSTRAP = ["000_ops_schema.sql", "001_ops_schema_migrations.sql"];

const LEDGER_READ: SqlStatement = {
  name: "ledger/read",
  sql: "SELECT version, checksum FROM ops.schema_migrations",
};
const LEDGER_LOCK: SqlStatement = { name: "ledger/lock", sql: "LOCK ops.schema_migrations" };
const LEDGER_FORGET: SqlStatement = {
  name: "ledger/forget",
  sql: "DELETE FROM ops.schema_migrations WHERE version = :version",
};
const LEDGER_RECORD: SqlStatement = {
  name: "ledger/record",
  sql:
    "INSERT INTO ops.schema_migrations (version, kind, checksum, applied_at) " +
    "VALUES (:version, :kind, :checksum, GETDATE())",
};

/** Every migration under `sql/`, in apply order. */
export const migrationPlan = async (files: SqlFiles): Promise<Migration[]> => {
  const plan: Migration[] = [];
  for (const { folder, kind } of FOLDERS) {
    for (const file of await files.folder(folder)) {
      plan.push({ version: file.name, kind, checksum: file.checksum, file });
    }
  }
  return plan;
};

/**
 * Applies the pending migrations, in order, and records each in `ops.schema_migrations` in the same
 * transaction as its DDL (copy jobs: right after creating the job, which cannot run in a transaction).
 * Running it again changes nothing; an applied versioned or copy-job file whose checksum changed is a
 * `MigrationChecksumError` (nothing after it runs); a changed analytics view is re-applied.
 *
 * @example
 *   const report = await runMigrations(engine, new SqlFiles("sql"), settings);
 *   report.applied; // ["ddl/000_ops_schema.sql", ...] on a new database, [] afterwards
 */
export const runMigrations = async (
  engine: SqlEngine,
  files: SqlFiles,
  settings: WarehouseSettings,
): Promise<MigrationReport> => {
  const values = validateSettings(settings);
  const plan = await migrationPlan(files);
  for (const name of BOOTSTRAP) {
    const file = await files.file("ddl", name);
    await engine.execute(file, {}, `migrate:${file.name}`);
  }
  const ledger = new Map<string, string>();
  for (const row of await engine.select(LEDGER_READ, {}, "migrate:ledger")) {
    ledger.set(String(row.version), String(row.checksum).trim());
  }

  const applied: string[] = [];
  const unchanged: string[] = [];
  const adopted: string[] = [];
  for (const migration of plan) {
    const { version, kind, checksum } = migration;
    const recorded = ledger.get(version);
    if (recorded === checksum) {
      unchanged.push(version);
      continue;
    }
    if (recorded !== undefined && kind !== "repeatable") {
      throw new MigrationChecksumError(version, recorded, checksum);
    }
    const statement = fillPlaceholders(migration.file, values);
    const params: SqlParams = { version, kind, checksum };
    const label = `migrate:${version}`;
    if (kind === "copy-job") {
      const outcome = await engine.ensureCopyJob(parseCopyJob(statement), label);
      await engine.transaction([LEDGER_LOCK, LEDGER_FORGET, LEDGER_RECORD], params, label);
      (outcome === "created" ? applied : adopted).push(version);
    } else {
      await engine.transaction([LEDGER_LOCK, statement, LEDGER_FORGET, LEDGER_RECORD], params, label);
      applied.push(version);
    }
  }
  return { applied, unchanged, adopted };
};
