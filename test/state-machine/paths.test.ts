import { describe, expect, it } from "vitest";
import { heldPrefix } from "../../src/core/layout.js";
import { captureLogs } from "../support/app.js";
import { useTempDir } from "../support/temp.js";
import { workflowHarness } from "../support/workflow-harness.js";

const tempDir = useTempDir();
captureLogs();

const MAIN = ["PlanBatch", "TrimState", "Transform", "CheckQuality", "Gate"];
const LOAD = [
  "Publish",
  "StartLoadPolling",
  "AwaitLoad",
  "LoadComplete",
  "Merge",
  "VerifyLoad",
  "RecordSuccess",
  "Done",
];
const FAILURE = ["QuarantineRun", "RecordFailure", "NotifyFailure", "RunFailed"];

describe("the pipeline state machine, run locally on every path", () => {
  it("runs on Node 22 or later (older Nodes make every Task throw into the Catch paths)", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
    expect(typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers).toBe("function");
  });

  it("success: every step in order, nothing caught, nothing retried", async () => {
    const h = await workflowHarness(await tempDir());
    const run = await h.run();
    expect(run.path).toEqual([...MAIN, ...LOAD]);
    expect(run.summary.status).toBe("SUCCEEDED");
    expect(run.visits.every((v) => v.outcome === "succeeded" && v.retries === 0)).toBe(true);
    expect(run.record).toMatchObject({ status: "succeeded", quality_verdict: "pass", files: 2, error: null });
    expect(run.record?.rows).toMatchObject({
      read: 20,
      quarantined: 0,
      curated_by_entity: { orders: 10, payments: 10 },
    });
    expect((await h.app.store.list("load", "")).map((o) => o.key)).toEqual([
      `orders/${run.runId}/part-00000-fake.snappy.parquet`,
      `payments/${run.runId}/part-00000-fake.snappy.parquet`,
    ]);
    expect(h.warehouse.merged).toEqual([run.runId]);
    expect(h.warehouse.checked[0]?.expected.entities).toEqual({
      orders: { rows_curated: 10, sums: {} },
      payments: { rows_curated: 10, sums: {} },
    });
    expect(h.app.alerts.sent).toEqual([]);
  });

  it("polls the load history with a bounded Wait loop until auto-copy has loaded every file", async () => {
    const h = await workflowHarness(await tempDir());
    h.warehouse.loadAfterPolls = 2;
    const run = await h.run();
    expect(run.path).toEqual([
      ...MAIN,
      "Publish",
      "StartLoadPolling",
      "AwaitLoad",
      "LoadComplete",
      "WaitForLoad",
      "AwaitLoad",
      "LoadComplete",
      "WaitForLoad",
      "AwaitLoad",
      "LoadComplete",
      "Merge",
      "VerifyLoad",
      "RecordSuccess",
      "Done",
    ]);
    expect(run.record?.steps.load).toMatchObject({
      attempt: 3,
      done: true,
      files: 2,
      loaded: 2,
      wait_seconds: 1,
    });
  });

  it("DQ warn: the run goes on and the warning is recorded", async () => {
    const h = await workflowHarness(await tempDir());
    // 3 of 10 orders without approval time: over the warn rule's 5%.
    h.spark.scenario = (source) =>
      source === "orders" ? { rows: 10, failedByRule: { not_null_order_approved_at: 3 } } : { rows: 10 };
    const run = await h.run();
    expect(run.path).toEqual([...MAIN, ...LOAD]);
    expect(run.record).toMatchObject({
      status: "succeeded",
      quality_verdict: "warn",
      source_verdicts: { orders: "warn", payments: "pass" },
    });
    expect(h.app.alerts.sent).toEqual([]);
  });

  it("DQ fail of one source: it is quarantined and alerted, the passing source goes on", async () => {
    const h = await workflowHarness(await tempDir());
    // 4 of 10 payment rows quarantined: over max_reject_rate (5%), an error rule.
    h.spark.scenario = (source) => (source === "payments" ? { rows: 10, quarantined: 4 } : { rows: 10 });
    const run = await h.run();
    expect(run.path).toEqual([
      ...MAIN,
      "QuarantineFailedSources",
      "NotifyQualityFailure",
      "AnyPublishable",
      ...LOAD,
    ]);
    expect(run.summary.status).toBe("SUCCEEDED");
    expect(run.record).toMatchObject({
      status: "partial",
      quality_verdict: "fail",
      source_verdicts: { orders: "pass", payments: "fail" },
    });
    expect((await h.app.store.list("load", "")).map((o) => o.key)).toEqual([
      `orders/${run.runId}/part-00000-fake.snappy.parquet`,
    ]);
    expect((await h.app.store.list("curated", heldPrefix(run.runId))).map((o) => o.key)).toEqual([
      `${heldPrefix(run.runId)}payments/part-00000-fake.snappy.parquet`,
      `${heldPrefix(run.runId)}reason.json`,
    ]);
    expect(await h.app.store.list("curated", `curated/payments/run_id=${run.runId}/`)).toEqual([]);
    expect(h.app.alerts.sent.map((a) => [a.kind, a.runId, a.subject])).toEqual([
      ["quality_failed", run.runId, "data quality failed for payments: held in quarantine"],
    ]);
    expect(h.app.alerts.sent[0]?.message).toMatch(
      /^payments: max_reject_rate: 4 of 10 rows quarantined \(0\.4 > 0\.05\)$/,
    );
  });

  it("DQ fail of every source: nothing is published and the execution fails as DataQualityFailed", async () => {
    const h = await workflowHarness(await tempDir());
    h.spark.scenario = () => ({ rows: 10, quarantined: 5 });
    const run = await h.run();
    expect(run.path).toEqual([
      ...MAIN,
      "QuarantineFailedSources",
      "NotifyQualityFailure",
      "AnyPublishable",
      "RecordQualityFailure",
      "QualityFailed",
    ]);
    expect(run.summary).toMatchObject({ status: "FAILED", error: "DataQualityFailed" });
    expect(run.record?.status).toBe("quality_failed");
    expect(await h.app.store.list("load", "")).toEqual([]);
    expect(h.warehouse.merged).toEqual([]);
  });

  it("Spark job failure: Transform is not retried (it would fail again); the run is quarantined, recorded and alerted", async () => {
    const h = await workflowHarness(await tempDir());
    h.spark.jobFailures = 5;
    const run = await h.run();
    expect(run.path).toEqual(["PlanBatch", "TrimState", "Transform", ...FAILURE]);
    const transform = run.visits[2];
    expect(transform).toMatchObject({ name: "Transform", outcome: "caught", retries: 0 });
    expect(transform?.errors.map((e) => e.error)).toEqual(["Spark.DataError"]);
    expect(h.spark.runs).toHaveLength(1);
    expect(run.summary).toMatchObject({ status: "FAILED", error: "Spark.DataError" });
    expect(run.record).toMatchObject({
      status: "failed",
      error: { error: "Spark.DataError" },
    });
    expect(JSON.parse(run.record?.error?.cause ?? "{}")).toMatchObject({
      errorType: "Spark.DataError",
      errorMessage: "ConservationError: rows read != curated + quarantined + duplicates",
    });
    expect(h.app.alerts.sent.map((a) => [a.kind, a.subject, a.message])).toEqual([
      [
        "run_failed",
        "run failed: Spark.DataError",
        "ConservationError: rows read != curated + quarantined + duplicates",
      ],
    ]);
  });

  it("EMR job run failure (States.TaskFailed): not retried; the run record names the exception the job wrote beside its metrics", async () => {
    const h = await workflowHarness(await tempDir());
    h.spark.emrFailure = {
      error_type: "AnalysisException",
      exception: "org.apache.spark.sql.AnalysisException",
      message:
        "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `order_idd` cannot be resolved.",
      retryable: false,
    };
    const run = await h.run();
    expect(run.path).toEqual(["PlanBatch", "TrimState", "Transform", ...FAILURE]);
    expect(run.visits[2]).toMatchObject({ name: "Transform", outcome: "caught", retries: 0 });
    expect(h.spark.runs).toHaveLength(1);
    // What Step Functions itself reports stays EMR's; the run record names the class and keeps EMR's words.
    expect(run.summary).toMatchObject({ status: "FAILED", error: "States.TaskFailed" });
    expect(run.record?.error?.error).toBe("Spark.AnalysisError");
    expect(JSON.parse(run.record?.error?.cause ?? "{}")).toMatchObject({
      errorType: "Spark.AnalysisError",
      errorMessage:
        "org.apache.spark.sql.AnalysisException: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `order_idd` cannot be resolved.",
      workflowError: "States.TaskFailed",
    });
  });

  it("transient Spark failure (the Spark process died): Transform is retried and the run succeeds", async () => {
    const h = await workflowHarness(await tempDir());
    h.spark.processFailures = 2;
    const run = await h.run();
    expect(run.path).toEqual([...MAIN, ...LOAD]);
    expect(run.visits[2]).toMatchObject({ name: "Transform", outcome: "succeeded", retries: 2 });
    expect(run.visits[2]?.errors.map((e) => e.error)).toEqual(["Spark.ProcessDied", "Spark.ProcessDied"]);
  });

  it("warehouse serialization conflict: Merge is retried with backoff and the run succeeds", async () => {
    const h = await workflowHarness(await tempDir());
    h.warehouse.conflicts = 2;
    const run = await h.run();
    expect(run.path).toEqual([...MAIN, ...LOAD]);
    const merge = run.visits.find((v) => v.name === "Merge");
    expect(merge).toMatchObject({ outcome: "succeeded", retries: 2 });
    expect(merge?.errors.map((e) => e.error)).toEqual([
      "SerializationConflictError",
      "SerializationConflictError",
    ]);
    expect(h.warehouse.merged).toEqual([run.runId]);
  });

  it("a file that fails to load stops the run and withdraws what it published", async () => {
    const h = await workflowHarness(await tempDir());
    h.warehouse.failLoads = true;
    const run = await h.run();
    expect(run.path).toEqual([...MAIN, "Publish", "StartLoadPolling", "AwaitLoad", ...FAILURE]);
    expect(run.summary.error).toBe("LoadFailedError");
    expect(await h.app.store.list("load", "")).toEqual([]);
    expect(
      (await h.app.store.list("curated", heldPrefix(run.runId))).map((o) => o.key.split("/").at(-2)),
    ).toEqual(["orders", "payments", `run_id=${run.runId}`]);
  });

  it("auto-copy that never finishes ends the polling at its bound", async () => {
    const h = await workflowHarness(await tempDir());
    h.warehouse.loadAfterPolls = 1_000;
    const run = await h.run(["orders"]);
    expect(run.path.filter((name) => name === "AwaitLoad")).toHaveLength(60);
    expect(run.path.slice(-5)).toEqual(["LoadTimedOut", ...FAILURE]);
    expect(run.summary.error).toBe("LoadTimeout");
  });

  it("a failed post-load check fails the run after the merge", async () => {
    const h = await workflowHarness(await tempDir());
    h.warehouse.checkStatus = "fail";
    const run = await h.run(["orders"]);
    expect(run.path).toEqual([...MAIN, ...LOAD.slice(0, 6), ...FAILURE]);
    expect(run.summary.error).toBe("VerificationError");
    expect(run.record?.error?.cause).toContain("reconciliation orders.rows: observed 9, expected 10");
  });

  it("refuses a second execution with the same name (a duplicate delivery)", async () => {
    const h = await workflowHarness(await tempDir());
    const run = await h.run(["orders"]);
    const again = await h.workflow.start(run.runId, {
      run_id: run.runId,
      started_at: "2026-11-21T19:48:00.000Z",
      trigger: "s3",
      inputs: [
        {
          bucket: "raw",
          key: "orders/x.csv",
          etag: "e",
          size: 1,
          source: "orders",
          batch_date: null,
          uploaded_at: "t",
          version: "001796591735123:",
        },
      ],
    });
    expect(again.alreadyExisted).toBe(true);
    expect(h.spark.runs).toEqual([run.runId]);
  });
});
