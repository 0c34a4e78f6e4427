import type {
  CheckReport,
  CheckResult,
  CopyJobSpec,
  ExpectedLoad,
  LoadedObject,
  LoadHistory,
  MergeReport,
  MigrationReport,
  OpsRunRecord,
  Row,
  SqlParams,
  Warehouse,
  WarehouseSettings,
} from "../ports/warehouse.js";
import { reconcile, STAR_CHECKS, starCheckResults, worstStatus } from "./checks.js";
import type { SqlEngine } from "./engine.js";
import { toLoadHistory } from "./load-progress.js";
import { boundMergePlan, validateRunId } from "./merge-plan.js";
import { runMigrations } from "./migrations.js";
import { runRecordPlan } from "./run-record-plan.js";
import type { SqlFiles, SqlStatement } from "./sql-files.js";

/**
 * The warehouse port written once over `SqlEngine`: migrations, load history, merge and checks are the same
 * SQL files and the same steps on both engines. An adapter implements only the engine primitives.
 */
export abstract class SqlWarehouse implements Warehouse, SqlEngine {
  protected constructor(
    protected readonly files: SqlFiles,
    protected readonly now: () => Date = () => new Date(),
  ) {}

  abstract execute(statement: SqlStatement, params: SqlParams, label: string): Promise<void>;
  abstract transaction(statements: readonly SqlStatement[], params: SqlParams, label: string): Promise<void>;
  abstract select(statement: SqlStatement, params: SqlParams, label: string): Promise<Row[]>;
  abstract ensureCopyJob(job: CopyJobSpec, label?: string): Promise<"created" | "exists">;
  abstract close(): Promise<void>;

  migrate(settings: WarehouseSettings): Promise<MigrationReport> {
    return runMigrations(this, this.files, settings);
  }

  async loadHistory(runId: string): Promise<LoadHistory> {
    validateRunId(runId);
    const statement = await this.files.file("checks", "load_history.sql");
    return toLoadHistory(runId, await this.select(statement, { run_id: runId }, `load-history:${runId}`));
  }

  async merge(runId: string, objects: readonly LoadedObject[]): Promise<MergeReport> {
    const { statements, params } = await boundMergePlan(this.files, runId, objects);
    const started = this.now().getTime();
    await this.transaction(statements, params, `merge:${runId}`);
    const seconds = (this.now().getTime() - started) / 1000;
    const loaded = await this.select(
      await this.files.file("checks", "reconciliation.sql"),
      { run_id: runId },
      `merge-report:${runId}`,
    );
    const rowsByEntity: Record<string, number> = {};
    for (const row of loaded) rowsByEntity[String(row.entity_name)] = Number(row.rows_loaded);
    return { runId, statements: statements.length, seconds, rowsByEntity };
  }

  async runChecks(runId: string, expected: ExpectedLoad): Promise<CheckReport> {
    validateRunId(runId);
    const label = `checks:${runId}`;
    const loaded = await this.select(
      await this.files.file("checks", "reconciliation.sql"),
      { run_id: runId },
      label,
    );
    const results: CheckResult[] = reconcile(loaded, expected);
    for (const check of STAR_CHECKS) {
      const rows = await this.select(await this.files.file("checks", check.file), {}, label);
      results.push(...starCheckResults(rows, check.onProblem));
    }
    return { runId, status: worstStatus(results), results };
  }

  async recordRun(record: OpsRunRecord): Promise<void> {
    const { statements, params } = await runRecordPlan(this.files, record);
    await this.transaction(statements, params, `record-run:${record.run.run_id}`);
  }

  query(sql: string, params: SqlParams = {}): Promise<Row[]> {
    return this.select({ name: "query", sql }, params, "query");
  }
}
