import { SerializationConflictError } from "../../src/core/errors.js";
import type { ObjectStore } from "../../src/ports/object-store.js";
import type {
  CheckReport,
  CheckResult,
  ExpectedLoad,
  LoadedObject,
  LoadHistory,
  MergeReport,
  OpsRunRecord,
  Row,
  Warehouse,
} from "../../src/ports/warehouse.js";
import { WarehouseTimeoutError } from "../../src/warehouse/errors.js";

/**
 * A warehouse double for workflow-path tests: auto-copy "loads" the run's published files after a
 * number of polls (or marks them failed), merge can lose serialization conflicts a number of times,
 * and checks answer a chosen status. It records what it was asked.
 */
export class FakeWarehouse implements Warehouse {
  loadAfterPolls = 0;
  failLoads = false;
  conflicts = 0;
  checkStatus: CheckReport["status"] = "pass";
  readonly polls = new Map<string, number>();
  readonly merged: string[] = [];
  /** The file versions every merge was given, in order. */
  readonly mergedObjects: LoadedObject[] = [];
  readonly checked: { runId: string; expected: ExpectedLoad }[] = [];
  /** recordRun times out (a warehouse that is down or locked). */
  failRecords = false;
  readonly recorded: OpsRunRecord[] = [];

  constructor(private readonly store: ObjectStore) {}

  async migrate(): Promise<never> {
    throw new Error("not used by the workflow");
  }
  async ensureCopyJob(): Promise<never> {
    throw new Error("not used by the workflow");
  }

  async loadHistory(runId: string): Promise<LoadHistory> {
    const polls = (this.polls.get(runId) ?? 0) + 1;
    this.polls.set(runId, polls);
    const files = (await this.store.list("load", "")).filter((o) => o.key.split("/")[1] === runId);
    const status = this.failLoads ? "failed" : polls > this.loadAfterPolls ? "loaded" : "pending";
    return {
      runId,
      files: files.map((o) => ({
        jobName: `staging_${o.key.split("/")[0]}`,
        entity: o.key.split("/")[0] as string,
        bucket: "load",
        key: o.key,
        status,
        rows: status === "loaded" ? 10 : null,
        size: o.size,
      })),
    };
  }

  async merge(runId: string, objects: readonly LoadedObject[]): Promise<MergeReport> {
    if (this.conflicts > 0) {
      this.conflicts -= 1;
      throw new SerializationConflictError("1023: serializable isolation violation on table star.fact_sales");
    }
    this.merged.push(runId);
    this.mergedObjects.push(...objects);
    return { runId, statements: 12, seconds: 0.01, rowsByEntity: { orders: 10 } };
  }

  async runChecks(runId: string, expected: ExpectedLoad): Promise<CheckReport> {
    this.checked.push({ runId, expected });
    const results: CheckResult[] = Object.entries(expected.entities).map(([entity, e]) => ({
      check: "reconciliation",
      subject: `${entity}.rows`,
      status: this.checkStatus,
      observed: this.checkStatus === "fail" ? String(e.rows_curated - 1) : String(e.rows_curated),
      expected: String(e.rows_curated),
    }));
    return { runId, status: this.checkStatus, results };
  }

  async recordRun(record: OpsRunRecord): Promise<void> {
    if (this.failRecords)
      throw new WarehouseTimeoutError("record-run: statement still running after 45000 ms");
    this.recorded.push(record);
  }

  async query(): Promise<Row[]> {
    return [];
  }

  async close(): Promise<void> {}
}
