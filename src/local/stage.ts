import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { handler as triggerHandler } from "../../functions/trigger/handler.js";
import { DuckDbWarehouse } from "../adapters/local/duckdb-warehouse.js";
import { LocalAlerts } from "../adapters/local/local-alerts.js";
import { LocalObjectStore } from "../adapters/local/local-object-store.js";
import { LocalSparkRunner } from "../adapters/local/local-spark-runner.js";
import {
  LocalExecutionStore,
  LocalWorkflow,
  type LocalWorkflowEvent,
} from "../adapters/local/local-workflow.js";
import type { App } from "../app/index.js";
import { useApp } from "../app/index.js";
import { localConfig, type PipelineConfig, type Tuning } from "../config/index.js";
import { loadContractBundle } from "../contracts/index.js";
import { StoredContracts } from "../core/contract-source.js";
import { BUNDLE_KEY } from "../core/layout.js";
import { objectVersion } from "../core/versions.js";
import { log, redirectLogs } from "../observability/logger.js";
import type { ObjectInfo } from "../ports/object-store.js";
import type { SparkRunner } from "../ports/spark-runner.js";
import type { Warehouse } from "../ports/warehouse.js";
import { taskHandlers } from "./handlers.js";
import { viewRun } from "./inspect.js";
import { LocalQueue } from "./queue.js";
import { type RecoveryReport, recoverStage, recoveryLines } from "./recovery.js";
import { nextSequencer, s3NotificationFor } from "./s3-notifications.js";
import { loadLocalDefinition, localContext, localTasks } from "./tasks.js";

/** An object put into the raw bucket, with the version token its notification gives it. */
export interface PutObject extends ObjectInfo {
  readonly version: string;
}

export interface LocalStageOptions {
  readonly projectRoot: string;
  readonly stage?: string;
  /** The stage's folder, instead of `<projectRoot>/.local/<stage>` (tests, benchmarks). */
  readonly root?: string;
  /** The contracts folder the stage deploys, instead of `<projectRoot>/contracts` (e.g. `examples/contracts`). */
  readonly contractsDir?: string;
  /** `warm` keeps one Spark process across runs; `cold` starts one per run; or a runner of your own (tests). */
  readonly spark?: "warm" | "cold" | SparkRunner;
  /**
   * The SQS batching window (`watch`): drops within it form one run. 0 (the default) means windows are
   * closed explicitly by `settle()`: one drop command, one window, however long its files take to write.
   */
  readonly windowMs?: number;
  /** Executions running at once. */
  readonly concurrency?: number;
  readonly tuning?: Partial<Tuning>;
  /** Where alerts and progress lines go (the terminal). */
  readonly print?: (text: string) => void;
  readonly onWorkflowEvent?: (event: LocalWorkflowEvent) => void;
}

/** The folders of a local stage under `.local/<stage>/`. */
export const stagePaths = (root: string) => ({
  root,
  executions: join(root, "executions"),
  warehouse: join(root, "warehouse.duckdb"),
  alerts: join(root, "alerts.jsonl"),
  deadLetters: join(root, "dead-letters.jsonl"),
  pipelineLog: join(root, "logs", "pipeline.log"),
  sparkLog: join(root, "logs", "spark.log"),
  report: join(root, "report.html"),
  runs: join(root, "runs"),
  /** The Spark processes this stage's runner has running (so a crash can be cleaned up). */
  sparkProcesses: join(root, "spark-processes"),
});

/**
 * The local stage, assembled once: local folders as buckets, the raw bucket's notifications through
 * a local SQS queue into the trigger, the ASL run in-process with every Task on the same handler
 * code (or the local Spark runner), DuckDB as the warehouse with emulated auto-copy.
 *
 * @example
 *   const stage = await LocalStage.open({ projectRoot: process.cwd() });
 *   await stage.dropFile("sample/raw/orders/dt=2017-01-02/orders-2017-01-02.csv");
 *   await stage.settle(); // the window's run has gone through the whole workflow
 *   await stage.close();
 */
export class LocalStage {
  private constructor(
    readonly config: PipelineConfig,
    readonly paths: ReturnType<typeof stagePaths>,
    readonly app: App & { store: LocalObjectStore; workflow: LocalWorkflow; alerts: LocalAlerts },
    readonly queue: LocalQueue,
    readonly spark: SparkRunner,
    private readonly logStream: WriteStream,
    /** A runner passed in (shared between stages, or a test double) is closed by its owner. */
    private readonly ownsSpark: boolean,
    /** What opening the stage recovered from a process that died while running it. */
    readonly recovery: RecoveryReport,
  ) {}

  get store(): LocalObjectStore {
    return this.app.store;
  }
  get workflow(): LocalWorkflow {
    return this.app.workflow;
  }
  get warehouse(): Warehouse {
    return this.app.warehouse;
  }

  static async open(options: LocalStageOptions): Promise<LocalStage> {
    const projectRoot = resolve(options.projectRoot);
    const config = localConfig({
      stage: options.stage ?? "local",
      projectRoot,
      ...(options.tuning ? { tuning: options.tuning } : {}),
      ...(options.root ? { root: options.root } : {}),
    });
    const paths = stagePaths(config.localRoot as string);
    await mkdir(join(paths.root, "logs"), { recursive: true });
    const logStream = createWriteStream(paths.pipelineLog, { flags: "a" });
    redirectLogs(logStream);
    const print = options.print ?? ((text: string) => process.stdout.write(text));

    const store = new LocalObjectStore(paths.root);
    for (const bucket of ["raw", "curated", "load", "artifacts"] as const) {
      await mkdir(store.bucketPath(bucket), { recursive: true });
    }
    await deployContracts(store, options.contractsDir ?? join(projectRoot, "contracts"));

    const warehouse = await DuckDbWarehouse.open({
      path: paths.warehouse,
      sqlRoot: join(projectRoot, "sql"),
      buckets: { [config.buckets.load]: store.bucketPath("load") },
    });
    await warehouse.migrate({
      load_bucket: config.buckets.load,
      copy_role_arn: "arn:aws:iam::000000000000:role/local-auto-copy",
    });

    const spark =
      typeof options.spark === "object"
        ? options.spark
        : new LocalSparkRunner({
            python: join(projectRoot, ".venv", "bin", "python"),
            sparkSrc: join(projectRoot, "spark", "src"),
            jobScript: join(projectRoot, "spark", "job.py"),
            mode: options.spark ?? "warm",
            logFile: paths.sparkLog,
            processDirectory: paths.sparkProcesses,
          });

    const alerts = new LocalAlerts(paths.alerts, print);
    const workflow: LocalWorkflow = new LocalWorkflow({
      definition: await loadLocalDefinition(projectRoot, config),
      tasks: localTasks(config, taskHandlers, spark),
      directory: paths.executions,
      stateMachineArn: config.stateMachineArn as string,
      waitMs: 20,
      retryMs: 50,
      concurrency: options.concurrency ?? 1,
      ...(options.onWorkflowEvent ? { onEvent: options.onWorkflowEvent } : {}),
      // The local run record: the execution's states with timings next to the record the workflow wrote.
      afterExecution: async (name) => {
        const view = await viewRun({ workflow, store, alertsOf: (runId) => alerts.read(runId) }, name);
        await mkdir(paths.runs, { recursive: true });
        await writeFile(join(paths.runs, `${name}.json`), `${JSON.stringify(view, null, 2)}\n`);
      },
    });
    const app = {
      config,
      store,
      workflow,
      alerts,
      contracts: new StoredContracts(store),
      warehouse,
      log,
      now: () => new Date(),
    };
    useApp(app);
    // Runs a dead process left RUNNING: failed, their Spark stopped, their staging rows cleared (recovery.ts).
    const recovery = await recoverStage({
      executions: new LocalExecutionStore(paths.executions),
      warehouse,
      sparkProcesses: paths.sparkProcesses,
      now: app.now,
    });
    for (const line of recoveryLines(recovery, config.stage)) print(`${line}\n`);
    for (const run of recovery.runs) {
      await alerts.publish({
        kind: "run_failed",
        subject: `run failed: its process died${run.state ? ` in ${run.state}` : ""} (found when the stage was opened again)`,
        message: run.cause,
        runId: run.runId,
        at: app.now().toISOString(),
        details: { error: run.error, staging_rows_cleared: run.stagingRowsCleared, recovered: true },
      });
      const view = await viewRun({ workflow, store, alertsOf: (runId) => alerts.read(runId) }, run.runId);
      await mkdir(paths.runs, { recursive: true });
      await writeFile(join(paths.runs, `${run.runId}.json`), `${JSON.stringify(view, null, 2)}\n`);
    }
    const queue = new LocalQueue({
      batchSize: 10_000,
      windowMs: options.windowMs ?? 0,
      maxReceiveCount: 3,
      deadLetterFile: paths.deadLetters,
      queueArn: `arn:aws:sqs:local:000000000000:sales-pipeline-${config.stage}-raw-events`,
      region: config.region,
      consumer: (event: SQSEvent) =>
        triggerHandler(
          event as never,
          localContext(config.stage, "trigger") as never,
        ) as Promise<SQSBatchResponse>,
    });
    return new LocalStage(
      config,
      paths,
      app,
      queue,
      spark,
      logStream,
      typeof options.spark !== "object",
      recovery,
    );
  }

  /**
   * Emits the S3 ObjectCreated notification of an object already in the raw bucket (what S3 sends
   * to the queue after a PUT): its write time and the next sequencer, so each PUT is a newer version.
   * Returns the version token the trigger will give the object.
   */
  notify(info: ObjectInfo): string {
    const sequencer = nextSequencer();
    const notification = s3NotificationFor(info, {
      bucketName: this.config.buckets.raw,
      region: this.config.region,
      eventTime: info.lastModified,
      sequencer,
    });
    this.queue.send(JSON.stringify(notification));
    return objectVersion(info.lastModified, sequencer);
  }

  /** Puts content into the raw bucket under `key` and emits its notification: a new version of the key. */
  async put(key: string, content: string | Uint8Array): Promise<PutObject> {
    const info = await this.store.put({ bucket: "raw", key }, content);
    return { ...info, version: this.notify(info) };
  }

  /** Copies a file into the raw bucket under `key` and emits its notification. */
  async dropFile(path: string, key: string): Promise<PutObject> {
    return this.put(key, await readFile(path));
  }

  /** Delivers what the queue holds now (closing the batch window) and waits for every run to end. */
  async settle(): Promise<void> {
    await this.queue.drain();
    await this.workflow.idle();
  }

  async close(): Promise<void> {
    await this.settle();
    if (this.ownsSpark) await this.spark.close();
    await this.warehouse.close();
    await new Promise<void>((done) => this.logStream.end(() => done()));
  }
}

/** Compiles `<contractsDir>/*.yaml` and deploys the bundle to the artifacts bucket when it changed. */
export const deployContracts = async (store: LocalObjectStore, contractsDir: string): Promise<void> => {
  const bundle = await loadContractBundle(contractsDir);
  const ref = { bucket: "artifacts", key: BUNDLE_KEY } as const;
  try {
    await stat(store.path(ref));
    const current = JSON.parse(await readFile(store.path(ref), "utf8")) as { checksum?: string };
    if (current.checksum === bundle.checksum) return;
  } catch {
    // not deployed yet
  }
  await store.put(ref, `${JSON.stringify(bundle, null, 2)}\n`);
};
