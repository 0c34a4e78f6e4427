/**
 * Warehouse port (ARCHITECTURE sections 2 and 6): the star schema's database. Two adapters implement it:
 * Redshift Serverless through the Data API (`src/adapters/aws/redshift-warehouse.ts`) and an embedded
 * DuckDB file that emulates auto-copy (`src/adapters/local/duckdb-warehouse.ts`). Both run the same SQL
 * files from `sql/` through the same migration runner, merge plan and checks (`src/warehouse/`).
 */

/** A value of a result row: integers as numbers (as strings beyond 2^53), decimals as strings ("12.30"),
 * timestamps as "YYYY-MM-DD HH:MM:SS[.ffffff]", dates as "YYYY-MM-DD", booleans, nulls. */
export type SqlValue = string | number | boolean | null;
export type Row = Readonly<Record<string, SqlValue>>;

/** Named parameters (`:name` in the SQL). Values are text, as the Redshift Data API takes them. */
export type SqlParams = Readonly<Record<string, string>>;

/** Placeholder values the migrations are rendered with (validated by `warehouseSettingsSchema`). */
export interface WarehouseSettings {
  /** The load bucket's name: the auto-copy source (`s3://<load_bucket>/<entity>/`). */
  readonly load_bucket: string;
  /** The IAM role the COPY JOBs read the load bucket with. */
  readonly copy_role_arn: string;
}

export type MigrationKind = "versioned" | "copy-job" | "repeatable";

export interface MigrationReport {
  /** Migrations run now, in order (versions = file paths under `sql/`). */
  readonly applied: readonly string[];
  /** Migrations already applied with the same checksum. */
  readonly unchanged: readonly string[];
  /** COPY JOBs found already existing (recorded in the ledger without running the file). */
  readonly adopted: readonly string[];
}

/** An auto-copy job as a `copy-jobs/*.sql` file declares it. */
export interface CopyJobSpec {
  readonly name: string;
  /** `schema.table` */
  readonly table: string;
  /** `s3://<bucket>/<prefix>/` */
  readonly source: string;
  /** The statement, placeholders filled. */
  readonly sql: string;
}

export type FileLoadStatus = "pending" | "loaded" | "failed" | "unknown";

/** One file a COPY JOB has seen (a row of SYS_COPY_JOB_DETAIL, with SYS_LOAD_DETAIL's row count). */
export interface LoadedFile {
  readonly jobName: string;
  /** First key segment: the entity (staging table). */
  readonly entity: string;
  readonly bucket: string;
  /** `<entity>/<run_id>/part-*.parquet` */
  readonly key: string;
  readonly status: FileLoadStatus;
  /** Rows loaded (lines scanned), when known. */
  readonly rows: number | null;
  readonly size: number | null;
}

export interface LoadHistory {
  readonly runId: string;
  /** Every file under `<entity>/<run_id>/` that a COPY JOB has seen, sorted by key. */
  readonly files: readonly LoadedFile[];
}

/**
 * One version of a raw file that a run loads into one entity (`core.source_objects`): the newest version of a file
 * supersedes every row of its older versions in that entity; a run holding an older version than one already
 * loaded has its rows of that file discarded.
 */
export interface LoadedObject {
  /** The object's URI, as its rows' `_source_file` carries it. */
  readonly sourceFile: string;
  readonly entity: string;
  /** The version token (`src/core/versions.ts`): sortable as text, the greatest wins. */
  readonly version: string;
}

export interface MergeReport {
  readonly runId: string;
  readonly statements: number;
  readonly seconds: number;
  /** Rows the run has loaded into each staging table and merged (ops.load_audit), by entity. */
  readonly rowsByEntity: Readonly<Record<string, number>>;
}

/** What a run's curated output holds, per entity (the metrics JSON's `entities`). */
export interface ExpectedLoad {
  readonly entities: Readonly<
    Record<string, { readonly rows_curated: number; readonly sums?: Readonly<Record<string, string | null>> }>
  >;
}

export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
  /** reconciliation | unknown_members | date_coverage | current_versions | validity_windows | grain_uniqueness */
  readonly check: string;
  /** What was measured, e.g. `orders.rows`, `fact_sales.product_key`, `dim_customer`. */
  readonly subject: string;
  readonly status: CheckStatus;
  readonly observed: string;
  readonly expected: string;
}

export interface CheckReport {
  readonly runId: string;
  /** The worst status of the results. */
  readonly status: CheckStatus;
  readonly results: readonly CheckResult[];
}

/**
 * A run's row of `ops.runs` and its rows of `ops.dq_results` (sql/ddl/090, 091), every value as text the way
 * the Data API takes it (numbers in decimal, timestamps as UTC "YYYY-MM-DD HH:MM:SS.fff"); null is NULL.
 */
export interface OpsRunRow {
  readonly run_id: string;
  readonly status: string;
  readonly started_at: string;
  readonly recorded_at: string;
  readonly run_trigger: string | null;
  readonly files: string;
  /** Comma-separated; empty (NULL) when the run failed before knowing its sources. */
  readonly sources: string;
  readonly quality_verdict: string | null;
  readonly rows_read: string | null;
  readonly rows_quarantined: string | null;
  /** Source rows that reached at least one entity (not entity rows): the run's balance with the four below. */
  readonly rows_curated: string | null;
  readonly rows_exact_duplicates: string | null;
  readonly rows_superseded: string | null;
  readonly rows_filtered: string | null;
  readonly error_name: string | null;
  readonly error_cause: string | null;
  readonly record_uri: string;
}

export interface OpsDqResultRow {
  readonly evaluated_at: string;
  readonly source_name: string;
  readonly source_verdict: string;
  readonly rule_name: string;
  readonly rule_kind: string;
  readonly severity: string;
  readonly status: string;
  readonly observed: string | null;
  readonly threshold: string | null;
  readonly rows_evaluated: string | null;
  readonly rows_failed: string | null;
  readonly detail: string | null;
}

export interface OpsRunRecord {
  readonly run: OpsRunRow;
  readonly dqResults: readonly OpsDqResultRow[];
}

export interface Warehouse {
  /**
   * Applies the pending migrations of `sql/`: `ddl/` (versioned), `copy-jobs/` (created outside any
   * transaction, adopted when they already exist) and `analytics/` (views, re-applied when changed).
   * Safe to run again; a changed applied ddl or copy-job file is a `MigrationChecksumError`.
   *
   * @example
   *   await warehouse.migrate({ load_bucket: "sales-dev-load", copy_role_arn: "arn:aws:iam::123456789012:role/copy" });
   */
  migrate(settings: WarehouseSettings): Promise<MigrationReport>;

  /** Creates the auto-copy job unless one with its name exists (never inside a transaction). */
  ensureCopyJob(job: CopyJobSpec): Promise<"created" | "exists">;

  /**
   * What auto-copy has done with the files of one run: one entry per file under `<entity>/<run_id>/`
   * seen by a COPY JOB (SYS_COPY_JOB_DETAIL). The local adapter first loads new files (auto-copy emulation).
   * Use `loadProgress(history, publishedKeys)` to decide whether every published file has loaded.
   *
   * @example
   *   const progress = loadProgress(await warehouse.loadHistory(runId), publishedKeys);
   *   if (progress.failed.length > 0) throw new LoadFailedError(...);
   */
  loadHistory(runId: string): Promise<LoadHistory>;

  /**
   * Merges one run from staging into core and the star schema in ONE transaction (targets locked first),
   * records the load audit and clears the run's staging rows. `objects` are the run's file versions per
   * published entity: the rows of a file whose newer version is already loaded are discarded, otherwise the
   * file's older rows are replaced. Idempotent: merging again, or merging runs in any order, gives the same star
   * schema. A lost serialization conflict is a `SerializationConflictError`.
   *
   * @example
   *   const report = await warehouse.merge("run-20170105-3f2a9c1e0b7d", [
   *     { sourceFile: "s3://raw/orders/dt=2017-01-05/o.csv", entity: "orders", version: "001796591735123:…" },
   *   ]);
   */
  merge(runId: string, objects: readonly LoadedObject[]): Promise<MergeReport>;

  /**
   * Post-load checks: reconciliation of the run's loaded rows and money sums with `expected` (fail on a
   * difference), facts with unknown members (warn), one current version per SCD2 key, validity windows without
   * overlap or gap, unique grain keys (fail).
   *
   * @example
   *   const report = await warehouse.runChecks(runId, { entities: metrics.entities });
   *   if (report.status === "fail") throw new VerificationError(...);
   */
  runChecks(runId: string, expected: ExpectedLoad): Promise<CheckReport>;

  /**
   * Records a run in the warehouse: replaces its row of `ops.runs` and its rule results in `ops.dq_results`, in
   * ONE transaction (both tables locked first). Idempotent: recording a run again leaves one row per run and rule.
   *
   * @example
   *   await warehouse.recordRun({ run: { run_id: "run-20170105-3f2a9c1e0b7d", status: "succeeded", … }, dqResults: [] });
   */
  recordRun(record: OpsRunRecord): Promise<void>;

  /** Runs one read-only statement (Redshift dialect) and returns its rows. */
  query(sql: string, params?: SqlParams): Promise<Row[]>;

  /** Releases connections (the DuckDB file); the Redshift adapter holds none. */
  close(): Promise<void>;
}
