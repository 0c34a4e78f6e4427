import { ValidationError } from "../errors.js";
import type { MigrationKind, MigrationReport, SqlParams, WarehouseSettings } from "../ports/warehouse.js";
import { parseCopyJob } from "./copy-jobs.js";
import { ddlRefusal, transactionBlockRefusal } from "./ddl-rules.js";
import type { SqlEngine } from "./engine.js";
import { MigrationChecksumError } from "./errors.js";
import { MAX_TRANSACTION_STATEMENTS } from "./merge-plan.js";
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
  /**
   * A versioned migration runs in one transaction with its ledger row, unless its first line is
   * `-- migration: no-transaction` (for the one statement Redshift refuses inside a transaction block, e.g.
   * `ALTER COLUMN ... TYPE`): it then runs on its own and is recorded after it succeeded.
   */
  readonly transactional: boolean;
}

/** The first line of a ddl migration that must run outside a transaction block. */
export const NO_TRANSACTION_MARKER = "-- migration: no-transaction";

/** The ledger statements every versioned migration's transaction carries besides its own. */
const LEDGER_STATEMENTS = 3;

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

/**
 * Throws a `ValidationError` naming the file when a versioned migration cannot run as written on Redshift: a
 * statement Redshift refuses outright (`ddlRefusal`), one it refuses inside a transaction block in a
 * transactional migration, a no-transaction migration of more than one statement, or a transaction longer than
 * one BatchExecuteStatement (its statements and the 3 ledger statements, at most 40).
 */
const checkVersioned = (migration: Migration): void => {
  const { file, transactional } = migration;
  for (const statement of file.statements) {
    const refused = ddlRefusal(statement.sql);
    if (refused) throw new ValidationError(`${statement.name}: ${refused}`);
    const blocked = transactionBlockRefusal(statement.sql);
    if (blocked && transactional) {
      throw new ValidationError(
        `${statement.name}: ${blocked}; put it alone in a migration whose first line is "${NO_TRANSACTION_MARKER}"`,
      );
    }
  }
  if (!transactional && file.statements.length !== 1) {
    throw new ValidationError(`${file.name}: a no-transaction migration holds exactly one statement`);
  }
  if (file.statements.length + LEDGER_STATEMENTS > MAX_TRANSACTION_STATEMENTS) {
    throw new ValidationError(
      `${file.name}: ${file.statements.length} statements and the ledger's ${LEDGER_STATEMENTS} exceed one ` +
        `transaction of ${MAX_TRANSACTION_STATEMENTS}`,
    );
  }
};

/** Every migration under `sql/`, in apply order; a versioned one that cannot run on Redshift is refused here. */
export const migrationPlan = async (files: SqlFiles): Promise<Migration[]> => {
  const plan: Migration[] = [];
  for (const { folder, kind } of FOLDERS) {
    for (const file of await files.folder(folder)) {
      const transactional = !(
        kind === "versioned" && file.text.split("\n", 1)[0]?.trim() === NO_TRANSACTION_MARKER
      );
      const migration = { version: file.name, kind, checksum: file.checksum, file, transactional };
      if (kind === "versioned") checkVersioned(migration);
      plan.push(migration);
    }
  }
  return plan;
};

/**
 * Applies the pending migrations, in order, and records each in `ops.schema_migrations` in the same
 * transaction as its DDL (copy jobs and no-transaction migrations: right after their one statement succeeded,
 * so one that fails is run again next time, and must be safe to repeat). Running it again changes nothing; an
 * applied versioned or copy-job file whose checksum changed is a `MigrationChecksumError` (nothing after it
 * runs); a changed analytics view is re-applied, and so is every analytics view after any ddl migration ran
 * (a ddl migration drops the views that use a column or table it changes: Redshift refuses the change while a
 * view uses it, and a view's column types cannot change in place).
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
  let ddlApplied = false;
  for (const migration of plan) {
    const { version, kind, checksum } = migration;
    const recorded = ledger.get(version);
    if (recorded === checksum && !(kind === "repeatable" && ddlApplied)) {
      unchanged.push(version);
      continue;
    }
    if (recorded !== undefined && recorded !== checksum && kind !== "repeatable") {
      throw new MigrationChecksumError(version, recorded, checksum);
    }
    const statements = migration.file.statements.map((statement) => fillPlaceholders(statement, values));
    const params: SqlParams = { version, kind, checksum };
    const label = `migrate:${version}`;
    if (kind === "copy-job") {
      const outcome = await engine.ensureCopyJob(
        parseCopyJob(fillPlaceholders(migration.file, values)),
        label,
      );
      await engine.transaction([LEDGER_LOCK, LEDGER_FORGET, LEDGER_RECORD], params, label);
      (outcome === "created" ? applied : adopted).push(version);
      continue;
    }
    if (migration.transactional) {
      await engine.transaction([LEDGER_LOCK, ...statements, LEDGER_FORGET, LEDGER_RECORD], params, label);
    } else {
      await engine.execute(statements[0] as SqlStatement, {}, label);
      await engine.transaction([LEDGER_LOCK, LEDGER_FORGET, LEDGER_RECORD], params, label);
    }
    if (kind === "versioned") ddlApplied = true;
    applied.push(version);
  }
  return { applied, unchanged, adopted };
};
