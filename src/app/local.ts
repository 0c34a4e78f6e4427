import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { taskHandlers } from "../../functions/tasks.js";
import { DuckDbWarehouse } from "../adapters/local/duckdb-warehouse.js";
import { LocalAlerts } from "../adapters/local/local-alerts.js";
import { LocalObjectStore } from "../adapters/local/local-object-store.js";
import { loadLocalDefinition, localTasks } from "../adapters/local/local-tasks.js";
import { LocalWorkflow, type LocalWorkflowEvent } from "../adapters/local/local-workflow.js";
import type { PipelineConfig } from "../config/index.js";
import { loadContractBundle } from "../contracts/index.js";
import { StoredContracts } from "../core/contract-source.js";
import { BUNDLE_KEY } from "../core/layout.js";
import { log } from "../observability/logger.js";
import type { SparkRunner } from "../ports/spark-runner.js";
import type { App } from "./app.js";

/** The App of a local stage, with its local adapters' own methods in view (folders, the in-process workflow). */
export interface LocalApp extends App {
  readonly store: LocalObjectStore;
  readonly workflow: LocalWorkflow;
  readonly alerts: LocalAlerts;
  readonly warehouse: DuckDbWarehouse;
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

export interface LocalAppOptions {
  readonly config: PipelineConfig;
  readonly projectRoot: string;
  /** The contracts folder the stage deploys, instead of `<projectRoot>/contracts` (e.g. `examples/contracts`). */
  readonly contractsDir?: string;
  /** The Transform task's engine: the local Spark runner, or a double. */
  readonly spark: SparkRunner;
  /** Where alerts go (the terminal). */
  readonly print: (text: string) => void;
  /** Executions running at once. */
  readonly concurrency?: number;
  readonly onWorkflowEvent?: (event: LocalWorkflowEvent) => void;
  /** Called when an execution has ended (the local stage writes the run's view). */
  readonly afterExecution?: (name: string, app: LocalApp) => Promise<void>;
}

/**
 * The local stage's composition root: folders as buckets (the contracts deployed to the artifacts bucket),
 * DuckDB as the warehouse (migrated, auto-copy emulated), alerts to a file and the terminal, and the ASL run
 * in-process with every Lambda task on the handlers the task registry builds on this very App (functions/
 * tasks.ts) and the EMR task on `spark`. `assembleAws` (app/aws.ts) is the cloud's.
 *
 * @example
 *   const app = await assembleLocal({ config, projectRoot, spark, print: (t) => process.stdout.write(t) });
 *   await app.workflow.start(runId, input);
 */
export const assembleLocal = async (options: LocalAppOptions): Promise<LocalApp> => {
  const { config, projectRoot } = options;
  const paths = stagePaths(config.localRoot as string);
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

  // The task handlers get the App once it is whole (the workflow is part of it); no task runs before.
  let assembled: (app: LocalApp) => void = () => undefined;
  const ready = new Promise<LocalApp>((resolve) => {
    assembled = resolve;
  });
  const workflow: LocalWorkflow = new LocalWorkflow({
    definition: await loadLocalDefinition(projectRoot, config),
    tasks: localTasks(
      config,
      taskHandlers(() => ready),
      options.spark,
    ),
    directory: paths.executions,
    stateMachineArn: config.stateMachineArn as string,
    waitMs: 20,
    retryMs: 50,
    concurrency: options.concurrency ?? 1,
    ...(options.onWorkflowEvent ? { onEvent: options.onWorkflowEvent } : {}),
    ...(options.afterExecution
      ? { afterExecution: async (name: string) => options.afterExecution?.(name, await ready) }
      : {}),
  });
  const app: LocalApp = {
    config,
    store,
    workflow,
    alerts: new LocalAlerts(paths.alerts, options.print),
    contracts: new StoredContracts(store),
    warehouse,
    log,
    now: () => new Date(),
  };
  assembled(app);
  return app;
};

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
