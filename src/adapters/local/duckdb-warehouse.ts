import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBResultReader,
  DuckDBTypeId,
} from "@duckdb/node-api";
import { PipelineError, ValidationError } from "../../errors.js";
import type { CopyJobSpec, LoadHistory, Row, SqlParams, SqlValue } from "../../ports/warehouse.js";
import { splitS3Uri } from "../../warehouse/copy-jobs.js";
import { transactionBlockRefusal, viewDependencyTarget, viewUses } from "../../warehouse/ddl-rules.js";
import { DUCKDB_MACROS, type DuckDbStatement, toDuckDb } from "../../warehouse/duckdb-dialect.js";
import { pickParams } from "../../warehouse/engine.js";
import { SerializationConflictError, WarehouseStatementError } from "../../warehouse/errors.js";
import { validateRunId } from "../../warehouse/merge-plan.js";
import { SqlFiles, type SqlStatement } from "../../warehouse/sql-files.js";
import { sqlTimestamp, stripComments } from "../../warehouse/sql-text.js";
import { SqlWarehouse } from "../../warehouse/sql-warehouse.js";
import { AUTO_COPY_DDL, etagOf, listFiles } from "./duckdb-auto-copy.js";

export interface DuckDbWarehouseOptions {
  /** The database file (the local stage's `.local/<stage>/warehouse.duckdb`), or `:memory:`. */
  readonly path: string;
  /** The `sql/` directory. */
  readonly sqlRoot: string;
  /** Local folder of each bucket a COPY JOB may read, by bucket name (e.g. `{ load: ".local/local/buckets/load" }`). */
  readonly buckets: Readonly<Record<string, string>>;
  /**
   * DuckDB worker threads (default: DuckDB's, one per core). The merge runs many small statements whose cost is
   * mostly fixed overhead; on a small, shared machine 1 thread is often faster.
   */
  readonly threads?: number;
  /** Whether `loadHistory` first loads new files (auto-copy emulation). Default true. */
  readonly ingestOnLoadHistory?: boolean;
  readonly now?: () => Date;
}

export interface IngestedFile {
  readonly jobName: string;
  readonly bucket: string;
  readonly key: string;
  readonly status: "I" | "E";
  readonly rows: number;
  readonly error?: string;
}

/** Serializes the writers of one database file (the counterpart of Redshift's table locks). */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const writers = new Map<string, Mutex>();
const writerFor = (key: string): Mutex => {
  let mutex = writers.get(key);
  if (!mutex) {
    mutex = new Mutex();
    writers.set(key, mutex);
  }
  return mutex;
};

const DML = /^\s*(?:WITH|INSERT|DELETE|UPDATE|MERGE)\b/i;
const TABLE_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);

const toRows = (reader: DuckDBResultReader): Row[] => {
  const types = reader.columnTypes().map((type) => type.typeId);
  const names = reader.columnNames();
  return reader.getRowsJson().map((values) => {
    const row: Record<string, SqlValue> = {};
    values.forEach((value, index) => {
      const name = names[index] as string;
      if (value !== null && typeof value === "string" && INTEGER_TYPES.has(types[index] as DuckDBTypeId)) {
        const number = Number(value);
        row[name] = Number.isSafeInteger(number) ? number : value;
      } else {
        row[name] = value as SqlValue;
      }
    });
    return row;
  });
};

/**
 * A DuckDB error as the warehouse's: a lost optimistic-concurrency race ("... conflict ...", the counterpart of
 * Redshift's serializable isolation violation) is a retryable `SerializationConflictError`; anything else a
 * `WarehouseStatementError` naming the statement.
 */
export const duckDbError = (statement: string, error: unknown): Error => {
  const message = error instanceof Error ? error.message : String(error);
  if (/conflict/i.test(message))
    return new SerializationConflictError(`${statement}: ${message}`, { cause: error });
  return new WarehouseStatementError(statement, message, { cause: error });
};

/**
 * The embedded warehouse of the local stage: the same SQL files as Redshift after `toDuckDb`, with auto-copy
 * emulated (see duckdb-auto-copy.ts). Writers of one database file are serialized in-process, as LOCK
 * serializes merges on Redshift; a conflict DuckDB still reports becomes a `SerializationConflictError`.
 *
 * @example
 *   const warehouse = await DuckDbWarehouse.open({
 *     path: ".local/local/warehouse.duckdb", sqlRoot: "sql", buckets: { load: ".local/local/buckets/load" },
 *   });
 *   await warehouse.migrate({ load_bucket: "load", copy_role_arn: "arn:aws:iam::000000000000:role/local-copy" });
 */
export class DuckDbWarehouse extends SqlWarehouse {
  private readonly writer: Mutex;
  /** The connection writers use (under `writer`), with its prepared DML statements by SQL text. */
  private session?: { connection: DuckDBConnection; prepared: Map<string, DuckDBPreparedStatement> };

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly options: DuckDbWarehouseOptions,
    private readonly owned: boolean,
  ) {
    super(new SqlFiles(options.sqlRoot), options.now);
    this.writer = owned ? new Mutex() : writerFor(resolve(options.path));
  }

  /** Opens (creating when needed) the database, its auto-copy tables and the Redshift function macros. */
  static async open(options: DuckDbWarehouseOptions): Promise<DuckDbWarehouse> {
    const memory = options.path === ":memory:";
    const config: Record<string, string> =
      options.threads === undefined ? {} : { threads: String(options.threads) };
    if (!memory) await mkdir(dirname(resolve(options.path)), { recursive: true });
    // One instance per file and process (DuckDB locks the file); an in-memory database belongs to its adapter.
    const instance = memory
      ? await DuckDBInstance.create(":memory:", config)
      : await DuckDBInstance.fromCache(resolve(options.path), config);
    const warehouse = new DuckDbWarehouse(instance, options, memory);
    await warehouse.writer.run(() =>
      warehouse.withSession(async (connection) => {
        for (const sql of [...DUCKDB_MACROS, ...AUTO_COPY_DDL]) await connection.run(sql);
      }),
    );
    return warehouse;
  }

  async close(): Promise<void> {
    await this.writer.run(async () => {
      if (!this.session) return;
      for (const statement of this.session.prepared.values()) statement.destroySync();
      this.session.connection.closeSync();
      this.session = undefined;
    });
    // A file's instance is shared through DuckDB's instance cache and released at exit.
    if (this.owned) this.instance.closeSync();
  }

  async execute(statement: SqlStatement, params: SqlParams, _label: string): Promise<void> {
    const translated = toDuckDb(statement);
    if (translated.kind === "lock" || translated.kind === "skip") return;
    if (translated.kind === "copy-job") {
      await this.ensureCopyJob(translated.job);
      return;
    }
    await this.writer.run(() =>
      this.withSession((connection) => this.runTranslated(connection, translated, params)),
    );
  }

  async transaction(statements: readonly SqlStatement[], params: SqlParams, label: string): Promise<void> {
    const translated = statements.map(toDuckDb);
    const copyJob = translated.find((statement) => statement.kind === "copy-job");
    if (copyJob) throw new ValidationError(`${copyJob.name}: COPY JOB cannot run inside a transaction`);
    for (const statement of statements) {
      // DuckDB would run it; Redshift refuses it inside a transaction block, so the local warehouse does too.
      const refused = transactionBlockRefusal(statement.sql);
      if (refused) throw new ValidationError(`${statement.name}: ${refused}`);
    }
    await this.writer.run(() =>
      this.withSession(async (connection) => {
        await connection.run("BEGIN TRANSACTION");
        try {
          // LOCK statements need nothing more: this adapter's writer lock is held for the whole transaction.
          for (const statement of translated) await this.runTranslated(connection, statement, params);
          await connection.run("COMMIT");
        } catch (error) {
          await connection.run("ROLLBACK").catch(() => undefined);
          throw error instanceof PipelineError ? error : duckDbError(`${label}:commit`, error);
        }
      }),
    );
  }

  async select(statement: SqlStatement, params: SqlParams, _label: string): Promise<Row[]> {
    const translated = toDuckDb(statement);
    if (translated.kind !== "sql") throw new ValidationError(`${statement.name}: not a query`);
    return this.withConnection(async (connection) => {
      try {
        return toRows(
          await connection.runAndReadAll(translated.sql, pickParams(params, translated.parameters)),
        );
      } catch (error) {
        throw duckDbError(statement.name, error);
      }
    });
  }

  /** Registers an emulated auto-copy job (the local counterpart of `COPY ... JOB CREATE ... AUTO ON`). */
  async ensureCopyJob(job: CopyJobSpec): Promise<"created" | "exists"> {
    if (!TABLE_NAME.test(job.table))
      throw new ValidationError(`COPY JOB ${job.name}: bad table name ${job.table}`);
    const { bucket } = splitS3Uri(job.source);
    if (this.options.buckets[bucket] === undefined) {
      throw new ValidationError(`COPY JOB ${job.name}: no local folder for bucket ${bucket}`);
    }
    return this.writer.run(() =>
      this.withSession(async (connection) => {
        const found = await connection.runAndReadAll(
          "SELECT 1 FROM main.sys_copy_job WHERE job_name = $name",
          {
            name: job.name,
          },
        );
        if (found.currentRowCount > 0) return "exists" as const;
        await connection.run(
          `INSERT INTO main.sys_copy_job
             (job_id, job_name, iam_role, job_text, is_auto, target_table, data_source, created_at)
           SELECT COALESCE(MAX(job_id), 0) + 1, $name, NULL, $text, 1, $table, $source, CAST($created AS TIMESTAMP)
           FROM main.sys_copy_job`,
          {
            name: job.name,
            text: job.sql,
            table: job.table,
            source: job.source,
            created: sqlTimestamp(this.now()),
          },
        );
        return "created" as const;
      }),
    );
  }

  /**
   * The auto-copy step: loads every file under a registered job's prefix that the job has not seen yet, each in
   * its own transaction, and records it in sys_copy_job_detail ('I' loaded, 'E' failed and never retried) and
   * sys_load_detail (rows). Call it before asking the load history (the adapter's `loadHistory` does).
   *
   * @example
   *   const ingested = await warehouse.ingestNewFiles(); // [{ jobName: "staging_orders", key: "orders/run-1/part-0.parquet", status: "I", rows: 117 }]
   */
  async ingestNewFiles(): Promise<IngestedFile[]> {
    return this.writer.run(() =>
      this.withSession(async (connection) => {
        const jobs = toRows(
          await connection.runAndReadAll(
            "SELECT job_id, job_name, target_table, data_source FROM main.sys_copy_job WHERE is_auto = 1 ORDER BY job_id",
          ),
        );
        const ingested: IngestedFile[] = [];
        for (const job of jobs) {
          const jobName = String(job.job_name);
          const table = String(job.target_table);
          if (!TABLE_NAME.test(table))
            throw new ValidationError(`COPY JOB ${jobName}: bad table name ${table}`);
          const { bucket, prefix } = splitS3Uri(String(job.data_source));
          const folder = this.options.buckets[bucket];
          if (folder === undefined)
            throw new ValidationError(`COPY JOB ${jobName}: no local folder for ${bucket}`);
          const seen = new Set(
            toRows(
              await connection.runAndReadAll(
                "SELECT file_name FROM main.sys_copy_job_detail WHERE job_name = $job",
                { job: jobName },
              ),
            ).map((row) => String(row.file_name)),
          );
          for (const file of await listFiles(folder, prefix)) {
            if (seen.has(file.key)) continue;
            ingested.push(
              await this.loadFile(connection, { id: Number(job.job_id), name: jobName, table }, bucket, file),
            );
          }
        }
        return ingested;
      }),
    );
  }

  /**
   * Removes one run's rows from every staging table (what its merge does last), for a run that will never
   * merge: its process died. Returns the rows removed per staging table, in one transaction.
   *
   * @example
   *   await warehouse.clearStaging("run-20170105-3f2a9c1e0b7d41aa"); // { customers: 0, orders: 117, … }
   */
  async clearStaging(runId: string): Promise<Record<string, number>> {
    validateRunId(runId);
    return this.writer.run(() =>
      this.withSession(async (connection) => {
        const tables = toRows(
          await connection.runAndReadAll(
            `SELECT c.table_name FROM information_schema.columns AS c
             JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = 'staging' AND c.column_name = '_run_id' AND t.table_type = 'BASE TABLE'
             ORDER BY c.table_name`,
          ),
        )
          .map((row) => String(row.table_name))
          .filter((table) => TABLE_NAME.test(`staging.${table}`));
        const removed: Record<string, number> = {};
        await connection.run("BEGIN TRANSACTION");
        try {
          for (const table of tables) {
            const result = await connection.run(`DELETE FROM staging.${table} WHERE _run_id = $run`, {
              run: runId,
            });
            removed[table] = Number(result.rowsChanged);
          }
          await connection.run("COMMIT");
        } catch (error) {
          await connection.run("ROLLBACK").catch(() => undefined);
          throw duckDbError(`clear-staging:${runId}`, error);
        }
        return removed;
      }),
    );
  }

  override async loadHistory(runId: string): Promise<LoadHistory> {
    if (this.options.ingestOnLoadHistory ?? true) await this.ingestNewFiles();
    return super.loadHistory(runId);
  }

  private async loadFile(
    connection: DuckDBConnection,
    job: { id: number; name: string; table: string },
    bucket: string,
    file: Awaited<ReturnType<typeof listFiles>>[number],
  ): Promise<IngestedFile> {
    const started = sqlTimestamp(this.now());
    const uri = `s3://${bucket}/${file.key}`;
    const detail = {
      job_id: String(job.id),
      job: job.name,
      bucket,
      key: file.key,
      size: String(file.size),
      etag: await etagOf(file.path),
      modified: sqlTimestamp(file.modified),
      at: started,
    };
    const recordDetail = (status: "I" | "E") =>
      connection.run(
        `INSERT INTO main.sys_copy_job_detail
           (user_id, database_name, job_id, job_name, file_location, file_name, file_size, file_etag, job_text,
            modification_time, enqueue_time, status)
         VALUES (100, 'local', CAST($job_id AS BIGINT), $job, $bucket, $key, CAST($size AS BIGINT), $etag, NULL,
                 CAST($modified AS TIMESTAMP), CAST($at AS TIMESTAMP), '${status}')`,
        detail,
      );
    const nextQueryId = "(SELECT COALESCE(MAX(query_id), 0) + 1 FROM main.sys_load_detail)";
    await connection.run("BEGIN TRANSACTION");
    try {
      // Positional, like COPY from Parquet: the staging table's columns are the curated file's, in order.
      const loaded = await connection.run(`INSERT INTO ${job.table} SELECT * FROM read_parquet($path)`, {
        path: file.path,
      });
      const rows = loaded.rowsChanged;
      await recordDetail("I");
      await connection.run(
        `INSERT INTO main.sys_load_detail
           (user_id, query_id, file_name, bytes_scanned, lines_scanned, splits_scanned, record_time, start_time, end_time)
         VALUES (100, ${nextQueryId}, $uri, CAST($size AS BIGINT), CAST($rows AS BIGINT), 1,
                 CAST($at AS TIMESTAMP), CAST($at AS TIMESTAMP), CAST($end AS TIMESTAMP))`,
        { uri, size: String(file.size), rows: String(rows), at: started, end: sqlTimestamp(this.now()) },
      );
      await connection.run("COMMIT");
      return { jobName: job.name, bucket, key: file.key, status: "I", rows };
    } catch (error) {
      await connection.run("ROLLBACK").catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      await recordDetail("E");
      await connection.run(
        `INSERT INTO main.sys_load_error_detail (query_id, file_name, start_time, error_message)
         VALUES ((SELECT COALESCE(MAX(query_id), 0) + 1 FROM main.sys_load_error_detail), $uri,
                 CAST($at AS TIMESTAMP), $message)`,
        { uri, at: started, message },
      );
      return { jobName: job.name, bucket, key: file.key, status: "E", rows: 0, error: message };
    }
  }

  private async runTranslated(connection: DuckDBConnection, statement: DuckDbStatement, params: SqlParams) {
    if (statement.kind === "lock" || statement.kind === "skip") return;
    if (statement.kind === "copy-job") {
      throw new ValidationError(
        `${statement.name}: COPY JOB runs through ensureCopyJob, outside transactions`,
      );
    }
    const dml = DML.test(stripComments(statement.sql));
    if (!dml) await this.refuseDependentViews(connection, statement);
    try {
      const values = pickParams(params, statement.parameters);
      if (!dml) {
        await connection.run(statement.sql, values);
        return;
      }
      // DML is prepared once per session and reused: planning is a large share of a small merge's cost.
      const cache = this.session?.prepared;
      let prepared = cache?.get(statement.sql);
      if (!prepared) {
        prepared = await connection.prepare(statement.sql);
        cache?.set(statement.sql, prepared);
      }
      prepared.clearBindings();
      if (statement.parameters.length > 0) prepared.bind(values);
      await prepared.run();
    } catch (error) {
      throw duckDbError(statement.name, error);
    }
  }

  /**
   * Redshift refuses DROP TABLE, DROP COLUMN and ALTER COLUMN ... TYPE while a view uses the table or column (the
   * migration must drop the view first and create it again); DuckDB's views bind late and would let the change
   * through, so the local warehouse refuses it the same way.
   */
  private async refuseDependentViews(
    connection: DuckDBConnection,
    statement: Extract<DuckDbStatement, { kind: "sql" }>,
  ): Promise<void> {
    const target = viewDependencyTarget(statement.sql);
    if (!target) return;
    const views = toRows(
      await connection.runAndReadAll(
        "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1, 2",
      ),
    );
    const using = views
      .filter((view) => viewUses(String(view.sql), target))
      .map((view) => `${view.schema_name}.${view.view_name}`);
    if (using.length > 0) {
      const what = target.column === undefined ? target.table : `${target.table}.${target.column}`;
      throw new WarehouseStatementError(
        statement.name,
        `cannot drop or retype ${what} because other objects depend on it: ${using.join(", ")} ` +
          "(Redshift refuses it while a view uses it: drop the view first, then create it again)",
      );
    }
  }

  /** Runs writer work on the session connection; call only while holding `writer`. */
  private async withSession<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (!this.session) this.session = { connection: await this.instance.connect(), prepared: new Map() };
    return work(this.session.connection);
  }

  private async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }
}
