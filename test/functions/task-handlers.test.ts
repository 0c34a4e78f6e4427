import { readFile } from "node:fs/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TASK_HANDLERS } from "../../functions/tasks.js";
import { S3ObjectStore } from "../../src/adapters/aws/s3-object-store.js";
import { loadConfig } from "../../src/config/index.js";
import { StoredContracts } from "../../src/core/contract-source.js";
import { LoadFailedError } from "../../src/core/errors.js";
import { log } from "../../src/observability/logger.js";
import { captureLogs, lambdaContext } from "../support/app.js";
import { deployBundle } from "../support/bundle.js";
import { FakeWarehouse } from "../support/fake-warehouse.js";
import { MemoryAlerts, RecordingWorkflow } from "../support/fakes.js";
import { memoryS3 } from "../support/memory-s3.js";

/** The task inputs the state machine's Parameters produce, as recorded in test/events/stepfunctions/. */
const event = async (name: string) =>
  JSON.parse(await readFile(`test/events/stepfunctions/${name}.json`, "utf8")) as never;
const RUN = "run-20170104-4331c40687129753";
const METRICS = `metrics/${RUN}.json`;
const ENV = {
  PIPELINE_STAGE: "dev",
  AWS_REGION: "eu-west-1",
  RAW_BUCKET: "sales-pipeline-dev-raw",
  CURATED_BUCKET: "sales-pipeline-dev-curated",
  LOAD_BUCKET: "sales-pipeline-dev-load",
  ARTIFACTS_BUCKET: "sales-pipeline-dev-artifacts",
  POWERTOOLS_METRICS_NAMESPACE: "SalesPipeline/dev",
  DQ_FAILURE_METRIC: "DataQualityFailures",
  RUN_RECORD_FAILURE_METRIC: "RunRecordFailures",
};

const logs = captureLogs();
let s3: ReturnType<typeof memoryS3>;
let app: ReturnType<typeof build>;
const build = () => {
  const config = loadConfig(ENV);
  const store = new S3ObjectStore(new S3Client({ region: "eu-west-1" }), config.buckets);
  return {
    config,
    store,
    workflow: new RecordingWorkflow(),
    alerts: new MemoryAlerts(),
    contracts: new StoredContracts(store),
    warehouse: new FakeWarehouse(store),
    // The real structured logger (its lines are captured): every line must carry the run id.
    log,
    now: () => new Date("2026-11-21T20:16:00.000Z"),
  };
};
// The deployed handlers, built by the task registry on the App each test assembles (beforeEach).
const current = async () => app;
const awaitLoad = TASK_HANDLERS["await-load"](current);
const checkQuality = TASK_HANDLERS["check-quality"](current);
const merge = TASK_HANDLERS.merge(current);
const notify = TASK_HANDLERS.notify(current);
const planBatch = TASK_HANDLERS["plan-batch"](current);
const publish = TASK_HANDLERS.publish(current);
const quarantineRun = TASK_HANDLERS["quarantine-run"](current);
const recordRun = TASK_HANDLERS["record-run"](current);
const verifyLoad = TASK_HANDLERS["verify-load"](current);

const invoke = <T>(handler: (e: never, c: never) => Promise<T>, input: unknown, name: string) =>
  handler(input as never, lambdaContext(name) as never);

beforeEach(async () => {
  s3 = memoryS3();
  app = build();
  await deployBundle(app.store);
  await app.store.put(
    { bucket: "curated", key: METRICS },
    await readFile(`test/events/spark/metrics-${RUN}.json`),
  );
});
afterEach(() => {
  s3.mock.restore();
});

describe("task handlers with the state machine's input shapes", () => {
  it("plan-batch writes the manifest the Spark job reads", async () => {
    const plan = await invoke(planBatch, await event("plan-batch"), "plan-batch");
    expect(plan).toMatchObject({
      manifest_uri: `s3://sales-pipeline-dev-curated/manifests/${RUN}.json`,
      metrics_uri: `s3://sales-pipeline-dev-curated/${METRICS}`,
      spark_arguments: ["--manifest", `s3://sales-pipeline-dev-curated/manifests/${RUN}.json`],
      sources: ["customers", "order_items", "orders", "payments", "products"],
      files: 5,
    });
    const manifest = JSON.parse(
      new TextDecoder().decode(await app.store.get({ bucket: "curated", key: `manifests/${RUN}.json` })),
    );
    expect(manifest).toMatchObject({
      schema_version: 1,
      run_id: RUN,
      contracts_uri: "s3://sales-pipeline-dev-artifacts/contracts/contracts.bundle.json",
      outputs: {
        curated_uri: "s3://sales-pipeline-dev-curated/curated/",
        quarantine_uri: "s3://sales-pipeline-dev-curated/quarantine/",
        metrics_uri: `s3://sales-pipeline-dev-curated/${METRICS}`,
      },
    });
    expect(manifest.inputs[0]).toEqual({
      uri: "s3://sales-pipeline-dev-raw/customers/dt=2017-01-04/customers-2017-01-04.csv",
      source: "customers",
      key: "customers/dt=2017-01-04/customers-2017-01-04.csv",
      etag: "9b2cf535f27731c974343645a3985328",
      size: 4096,
      format: "csv",
      compression: null,
      batch_date: "2017-01-04",
      uploaded_at: "2026-11-21T20:14:32.118Z",
      version: "001795292072118:000000000000000062B4C0E2A1D2F1A1",
    });
    // Merge gets each file's URI, version and its source's entities from the plan.
    expect(plan.objects[0]).toEqual({
      source_file: "s3://sales-pipeline-dev-raw/customers/dt=2017-01-04/customers-2017-01-04.csv",
      version: "001795292072118:000000000000000062B4C0E2A1D2F1A1",
      entities: ["customers"],
    });
    // Every log line of the invocation carries the run id.
    const lines = logs.lines().filter((line) => line.function_name === "plan-batch");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.run_id === RUN)).toBe(true);
  });

  it("check-quality evaluates the Spark job's real metrics, stores the report and emits the DQ metric", async () => {
    const input = await event("check-quality");
    const { result: gate, emf } = await withMetrics(() => invoke(checkQuality, input, "check-quality"));
    expect(gate).toMatchObject({
      verdict: "warn",
      has_failures: false,
      has_publishable: true,
      publishable_entities: ["customers", "order_items", "orders", "payments", "products"],
      held_entities: [],
    });
    const report = JSON.parse(
      new TextDecoder().decode(await app.store.get({ bucket: "curated", key: `reports/${RUN}.json` })),
    );
    const orders = report.sources.orders.rules;
    expect(orders.find((r: { name: string }) => r.name === "max_reject_rate")).toMatchObject({
      observed: 0.028037,
      threshold: 0.05,
      status: "pass",
    });
    expect(orders.find((r: { name: string }) => r.name === "not_null_order_approved_at")).toMatchObject({
      observed: 0.038462,
      status: "pass",
    });
    expect(s3.keys("sales-pipeline-dev-curated", "dq/history/orders/")).toHaveLength(1);
    expect(emf[0]).toMatchObject({ service: "check-quality", DataQualityFailures: 0 });
    expect(emf[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "SalesPipeline/dev",
      Dimensions: [["service"]],
      Metrics: [{ Name: "DataQualityFailures", Unit: "Count" }],
    });
    // ... and, for the dashboard, one line per source: 1 when its verdict is fail.
    expect(emf.slice(1).map((line) => [line.source, line.SourceQualityFailures])).toEqual(
      Object.keys(gate.sources as Record<string, string>).map((source) => [source, 0]),
    );
    expect(emf[1]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "SalesPipeline/dev",
      Dimensions: [["service", "source"]],
      Metrics: [{ Name: "SourceQualityFailures", Unit: "Count" }],
    });
  });

  it("publish copies only data files, await-load polls, merge and verify-load use the warehouse", async () => {
    for (const entity of ["orders", "payments"]) {
      const prefix = `curated/${entity}/run_id=${RUN}/`;
      await app.store.put({ bucket: "curated", key: `${prefix}part-00000-a1.c000.snappy.parquet` }, "PAR1");
      await app.store.put({ bucket: "curated", key: `${prefix}_SUCCESS` }, "");
      await app.store.put(
        { bucket: "curated", key: `${prefix}.part-00000-a1.c000.snappy.parquet.crc` },
        "crc",
      );
    }
    const published = await invoke(publish, await event("publish"), "publish");
    expect(published).toMatchObject({
      files: 2,
      entities: ["customers", "order_items", "orders", "payments", "products"],
    });
    expect(s3.keys("sales-pipeline-dev-load")).toEqual([
      `orders/${RUN}/part-00000-a1.c000.snappy.parquet`,
      `payments/${RUN}/part-00000-a1.c000.snappy.parquet`,
    ]);
    app.warehouse.loadAfterPolls = 1;
    expect(await invoke(awaitLoad, await event("await-load"), "await-load")).toMatchObject({
      attempt: 1,
      done: false,
      files: 2,
      pending: 2,
      wait_seconds: 1,
    });
    const second = { ...((await event("await-load")) as object), attempt: 1 };
    expect(await invoke(awaitLoad, second, "await-load")).toMatchObject({
      attempt: 2,
      done: true,
      loaded: 2,
      rows_loaded: 20,
      wait_seconds: 2,
    });
    expect(await invoke(merge, await event("merge"), "merge")).toEqual({
      statements: 12,
      seconds: 0.01,
      rows_by_entity: { orders: 10 },
    });
    // The file versions of the published entities only (sellers were not published).
    expect(app.warehouse.mergedObjects).toEqual([
      {
        sourceFile: "s3://sales-pipeline-dev-raw/orders/dt=2017-01-04/orders-2017-01-04.csv",
        entity: "orders",
        version: "001795292072118:000000000000000062B4C0E2A1D2F1A3",
      },
    ]);
    expect(await invoke(verifyLoad, await event("verify-load"), "verify-load")).toMatchObject({
      status: "pass",
      checks: 5,
    });
    expect(app.warehouse.checked[0]?.expected.entities.order_items).toEqual({
      rows_curated: 119,
      sums: { unit_price: "27410.14", freight_value: "5083.58" },
    });
    app.warehouse.failLoads = true;
    await expect(invoke(awaitLoad, await event("await-load"), "await-load")).rejects.toBeInstanceOf(
      LoadFailedError,
    );
  });

  it("quarantine-run holds a failing source's output, or a failed run's output and withdraws its published files", async () => {
    await app.store.put({ bucket: "curated", key: `curated/payments/run_id=${RUN}/part-0.parquet` }, "p");
    await app.store.put({ bucket: "curated", key: `curated/orders/run_id=${RUN}/part-0.parquet` }, "o");
    await app.store.put({ bucket: "load", key: `orders/${RUN}/part-0.parquet` }, "o");
    expect(
      await invoke(quarantineRun, await event("quarantine-run-sources"), "quarantine-run"),
    ).toMatchObject({
      entities: ["payments"],
      files_moved: 1,
      files_unpublished: 0,
    });
    expect(s3.keys("sales-pipeline-dev-curated", "quarantine/_held/")).toEqual([
      `quarantine/_held/run_id=${RUN}/payments/part-0.parquet`,
      `quarantine/_held/run_id=${RUN}/reason.json`,
    ]);
    expect(await invoke(quarantineRun, await event("quarantine-run-failed"), "quarantine-run")).toMatchObject(
      {
        files_moved: 1,
        files_unpublished: 1,
      },
    );
    expect(s3.keys("sales-pipeline-dev-load")).toEqual([]);
    expect(s3.keys("sales-pipeline-dev-curated", "curated/")).toEqual([]);
  });

  it("notify sends one alert naming what failed", async () => {
    await invoke(notify, await event("notify-run-failed"), "notify");
    expect(app.alerts.sent[0]).toMatchObject({
      kind: "run_failed",
      runId: RUN,
      subject: "run failed: LoadFailedError",
      message: `1 published file(s) failed to load and will not be retried by auto-copy: orders/${RUN}/part-00000.snappy.parquet`,
    });
    await invoke(checkQualityQuiet, await event("check-quality"), "check-quality");
    await invoke(notify, await event("notify-quality-failed"), "notify");
    expect(app.alerts.sent[1]).toMatchObject({
      kind: "quality_failed",
      subject: "data quality failed for payments: held in quarantine",
    });
  });

  it("record-run writes the run record with rows per step, and records the run in the warehouse", async () => {
    await invoke(checkQualityQuiet, await event("check-quality"), "check-quality");
    const { result, emf } = await withMetrics(async () =>
      invoke(recordRun, await event("record-run-succeeded"), "record-run"),
    );
    expect(result).toEqual({ status: "partial", record_key: `runs/${RUN}.json`, in_warehouse: true });
    expect(emf).toMatchObject([
      { service: "record-run", RunRecordFailures: 0 },
      // The dashboard's rows per step and the wait for auto-copy (two polls: one wait of 1 s between them).
      {
        service: "record-run",
        RowsRead: 452,
        RowsCurated: 439,
        RowsQuarantined: 7,
        RowsLoaded: 337,
        RowsMerged: 337,
        LoadWaitSeconds: 1,
      },
    ]);
    const record = JSON.parse(
      new TextDecoder().decode(await app.store.get({ bucket: "curated", key: `runs/${RUN}.json` })),
    );
    expect(record).toMatchObject({
      status: "partial",
      files: 5,
      quality_verdict: "fail",
      source_verdicts: { payments: "fail", orders: "warn" },
      rows: {
        read: 452,
        quarantined: 7,
        // The balance in source rows: 452 = 439 + 7 + 4 + 2 + 0.
        curated: 439,
        exact_duplicates: 4,
        superseded: 2,
        filtered: 0,
        quarantined_by_reason: { malformed_row: 0, missing_required: 3, invalid_type: 3, rule_violation: 1 },
        curated_by_entity: { customers: 111, order_items: 119, orders: 101, payments: 102, products: 6 },
      },
      steps: { load: { rows_loaded: 337 }, merge: { rows_by_entity: { orders: 101 } } },
      error: null,
    });
    // ... and records the run in the warehouse: its ops.runs row and every rule result of its quality report.
    const report = JSON.parse(
      new TextDecoder().decode(await app.store.get({ bucket: "curated", key: `reports/${RUN}.json` })),
    ) as { sources: Record<string, { source: string; rules: { name: string; status: string }[] }> };
    const [recorded] = app.warehouse.recorded;
    expect(recorded?.run).toMatchObject({
      run_id: RUN,
      status: "partial",
      files: "5",
      quality_verdict: "fail",
      rows_read: "452",
      rows_quarantined: "7",
      rows_curated: "439",
      rows_exact_duplicates: "4",
      rows_superseded: "2",
      rows_filtered: "0",
      record_uri: `s3://sales-pipeline-dev-curated/runs/${RUN}.json`,
    });
    const rules = Object.values(report.sources).flatMap((source) =>
      source.rules.map((rule) => `${source.source} ${rule.name} ${rule.status}`),
    );
    expect(rules.length).toBeGreaterThan(5);
    expect(recorded?.dqResults.map((r) => `${r.source_name} ${r.rule_name} ${r.status}`)).toEqual(rules);
  });

  it("record-run still succeeds when the warehouse cannot take the record: reported, counted, S3 record kept", async () => {
    app.warehouse.failRecords = true;
    const { result, emf } = await withMetrics(async () =>
      invoke(recordRun, await event("record-run-succeeded"), "record-run"),
    );
    expect(result).toEqual({
      status: "partial",
      record_key: `runs/${RUN}.json`,
      in_warehouse: false,
      warehouse_error: "WarehouseTimeoutError: record-run: statement still running after 45000 ms",
    });
    expect(emf[0]).toMatchObject({ service: "record-run", RunRecordFailures: 1 });
    expect(s3.keys("sales-pipeline-dev-curated", "runs/")).toEqual([`runs/${RUN}.json`]);
    expect(logs.lines().some((line) => line.level === "ERROR" && line.run_id === RUN)).toBe(true);
  });

  it("rejects an input that does not match the task's shape (ASL drift fails loudly)", async () => {
    await expect(invoke(publish, { run_id: RUN }, "publish")).rejects.toMatchObject({ name: "ParseError" });
  });
});

/** Runs `action` with stdout captured; returns its result and the EMF metric lines it printed. */
const withMetrics = async <T>(action: () => Promise<T>) => {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await action();
    const emf = chunks
      .map((c) => c.trim())
      .filter((c) => c.includes('"_aws"'))
      .map((c) => JSON.parse(c) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } });
    return { result: result as unknown as Record<string, unknown>, emf };
  } finally {
    process.stdout.write = write;
  }
};

/** check-quality without its metric output (tests above assert it once). */
const checkQualityQuiet = async (input: never, context: never) => {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await checkQuality(input, context);
  } finally {
    process.stdout.write = write;
  }
};
