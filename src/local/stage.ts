import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { build as buildTrigger } from "../../functions/trigger/handler.js";
import type { LocalObjectStore } from "../adapters/local/local-object-store.js";
import { LocalQueue } from "../adapters/local/local-queue.js";
import { LocalSparkRunner } from "../adapters/local/local-spark-runner.js";
import { localContext } from "../adapters/local/local-tasks.js";
import {
  LocalExecutionStore,
  type LocalWorkflow,
  type LocalWorkflowEvent,
} from "../adapters/local/local-workflow.js";
import { nextSequencer, s3NotificationFor } from "../adapters/local/s3-notifications.js";
import { assembleLocal, type LocalApp, stagePaths } from "../app/local.js";
import { localConfig, type PipelineConfig, type Tuning } from "../config/index.js";
import { viewRun } from "../core/run-view.js";
import { objectVersion } from "../core/versions.js";
import { redirectLogs } from "../observability/logger.js";
import type { ObjectInfo } from "../ports/object-store.js";
import type { SparkRunner } from "../ports/spark-runner.js";
import type { Warehouse } from "../ports/warehouse.js";
import { type RecoveryReport, recoverStage, recoveryLines } from "./recovery.js";
import { recordStageContracts, stageContractsDir } from "./stage-contracts.js";

/** An object put into the raw bucket, with the version token its notification gives it. */
export interface PutObject extends ObjectInfo {
  readonly version: string;
}

export interface LocalStageOptions {
  readonly projectRoot: string;
  readonly stage?: string;
  /** The stage's folder, instead of `<projectRoot>/.local/<stage>` (tests, benchmarks). */
  readonly root?: string;
  /**
   * The contracts folder the stage deploys (e.g. `examples/contracts`). A stage remembers the folder it was created
   * with and refuses another unless `switchContracts` (stage-contracts.ts); without one, the remembered folder, or
   * `<projectRoot>/contracts` for a new stage.
   */
  readonly contractsDir?: string;
  /** Deploy `contractsDir` even though the stage was created with another folder. */
  readonly switchContracts?: boolean;
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
    readonly app: LocalApp,
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
    const contractsDir = await stageContractsDir(paths.root, projectRoot, {
      ...(options.contractsDir !== undefined ? { requested: options.contractsDir } : {}),
      ...(options.switchContracts ? { switchContracts: true } : {}),
    });
    await mkdir(join(paths.root, "logs"), { recursive: true });
    const logStream = createWriteStream(paths.pipelineLog, { flags: "a" });
    redirectLogs(logStream);
    const print = options.print ?? ((text: string) => process.stdout.write(text));

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

    const app = await assembleLocal({
      config,
      projectRoot,
      spark,
      print,
      contractsDir,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.onWorkflowEvent ? { onWorkflowEvent: options.onWorkflowEvent } : {}),
      // The local run record: the execution's states with timings next to the record the workflow wrote.
      afterExecution: (name, app) => writeRunView(app, paths, name),
    });
    await recordStageContracts(paths.root, projectRoot, contractsDir);
    const { alerts, warehouse } = app;
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
      await writeRunView(app, paths, run.runId);
    }
    const trigger = buildTrigger(async () => app);
    const queue = new LocalQueue({
      batchSize: 10_000,
      windowMs: options.windowMs ?? 0,
      maxReceiveCount: 3,
      deadLetterFile: paths.deadLetters,
      queueArn: `arn:aws:sqs:local:000000000000:sales-pipeline-${config.stage}-raw-events`,
      region: config.region,
      consumer: (event: SQSEvent) =>
        trigger(event as never, localContext(config.stage, "trigger") as never) as Promise<SQSBatchResponse>,
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

/** Writes a run's view (execution, states with timings, record, report, alerts) to `runs/<run>.json`. */
const writeRunView = async (
  app: LocalApp,
  paths: ReturnType<typeof stagePaths>,
  runId: string,
): Promise<void> => {
  const { workflow, store, alerts } = app;
  const view = await viewRun({ workflow, store, alertsOf: (id) => alerts.read(id) }, runId);
  await mkdir(paths.runs, { recursive: true });
  await writeFile(join(paths.runs, `${runId}.json`), `${JSON.stringify(view, null, 2)}\n`);
};
