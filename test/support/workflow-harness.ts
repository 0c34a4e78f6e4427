import { join } from "node:path";
import { taskHandlers } from "../../functions/tasks.js";
import { loadLocalDefinition, localTasks } from "../../src/adapters/local/local-tasks.js";
import { LocalWorkflow } from "../../src/adapters/local/local-workflow.js";
import { runRecordKey } from "../../src/core/layout.js";
import { runIdFor } from "../../src/core/run-id.js";
import { objectVersion } from "../../src/core/versions.js";
import type { RunInput } from "../../src/documents/run-input.js";
import type { RunRecord } from "../../src/documents/run-record.js";
import { runRecordSchema } from "../../src/documents/run-record.js";
import { readJsonIfExists } from "../../src/documents/store.js";
import type { ExecutionSummary, StateVisit } from "../../src/ports/workflow.js";
import { type TestApp, testApp } from "./app.js";
import { FakeSpark } from "./fake-spark.js";
import { FakeWarehouse } from "./fake-warehouse.js";

export interface PathRun {
  readonly runId: string;
  readonly summary: ExecutionSummary;
  readonly visits: StateVisit[];
  /** State names in the order they were visited. */
  readonly path: string[];
  readonly record: RunRecord | undefined;
}

/**
 * The real ASL run by the local runner with every Lambda task mapped to the real handler code over
 * a temporary local stage; Spark and the warehouse are doubles whose failures a test chooses.
 */
export const workflowHarness = async (root: string) => {
  const base = await testApp(root);
  const warehouse = new FakeWarehouse(base.store);
  const spark = new FakeSpark(base.store, await base.contracts.get());
  // The handlers run on the App assembled below (the workflow is part of it).
  let app: TestApp | undefined;
  const workflow = new LocalWorkflow({
    definition: await loadLocalDefinition(process.cwd(), base.config),
    tasks: localTasks(
      base.config,
      taskHandlers(async () => app ?? base),
      spark,
    ),
    directory: join(root, "executions"),
    stateMachineArn: base.config.stateMachineArn as string,
    waitMs: 1,
    retryMs: 1,
  });
  app = { ...base, workflow, warehouse };

  const run = async (sources: readonly string[] = ["orders", "payments"]): Promise<PathRun> => {
    const inputs: RunInput["inputs"] = [];
    for (const source of sources) {
      const key = `${source}/dt=2017-01-05/${source}-2017-01-05.csv`;
      const info = await app.store.put({ bucket: "raw", key }, `${source} rows\n`);
      inputs.push({
        bucket: "raw",
        key,
        etag: info.etag,
        size: info.size,
        source,
        batch_date: "2017-01-05",
        uploaded_at: info.lastModified,
        version: objectVersion(info.lastModified),
      });
    }
    const runId = runIdFor(
      inputs.map((i) => ({ key: i.key, etag: i.etag, version: i.version, batchDate: i.batch_date })),
    );
    const started = await workflow.start(runId, {
      run_id: runId,
      started_at: "2026-11-21T19:47:00.000Z",
      trigger: "s3",
      inputs,
    });
    if (started.alreadyExisted) throw new Error(`execution ${runId} already existed`);
    await workflow.idle();
    const summary = (await workflow.describe(runId)) as ExecutionSummary;
    const visits = await workflow.history(runId);
    const recordRef = { bucket: "curated", key: runRecordKey(runId) } as const;
    const record = await readJsonIfExists(app.store, recordRef, runRecordSchema);
    return { runId, summary, visits, path: visits.map((v) => v.name), record };
  };

  return { app, spark, warehouse, workflow, run };
};
