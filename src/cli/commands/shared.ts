import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalAlerts } from "../../adapters/local/local-alerts.js";
import { LocalObjectStore } from "../../adapters/local/local-object-store.js";
import { LocalExecutionStore } from "../../adapters/local/local-workflow.js";
import type { App } from "../../app/index.js";
import { loadConfig, localConfig } from "../../config/index.js";
import { ValidationError } from "../../errors.js";
import { Progress } from "../../local/progress.js";
import { LocalStage, stagePaths } from "../../local/stage.js";
import type { Alert } from "../../ports/alerts.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { Workflow } from "../../ports/workflow.js";

/** The repository root (the CLI runs its own files from there). */
export const projectRoot = (): string => fileURLToPath(new URL("../../../", import.meta.url));

export const isLocal = (stage: string): boolean => stage === "local";

/**
 * The cloud application of a stage, from the environment the operator exported (the variables
 * serverless.yml gives the Lambdas; `PIPELINE_STAGE` must name the same stage as `--stage`).
 */
export const cloudApp = async (stage: string): Promise<App> => {
  const config = loadConfig({ ...process.env, PIPELINE_STAGE: process.env.PIPELINE_STAGE ?? stage });
  if (config.stage !== stage) {
    throw new ValidationError(
      `--stage ${stage} but PIPELINE_STAGE=${config.stage}: export the variables of ${stage}`,
    );
  }
  const { assembleAws } = await import("../../app/aws.js");
  return assembleAws(config);
};

/** Opens the local stage with progress shown on stdout. */
export const openLocalStage = async (
  stage: string,
  options: { spark?: "warm" | "cold"; windowMs?: number; quiet?: boolean } = {},
): Promise<{ stage: LocalStage; progress: Progress }> => {
  const progress = new Progress(process.stdout, stage);
  const opened = await LocalStage.open({
    projectRoot: projectRoot(),
    stage,
    spark: options.spark ?? "warm",
    ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
    print: progress.print,
    ...(options.quiet ? {} : { onWorkflowEvent: progress.handle }),
  });
  return { stage: opened, progress };
};

/** What the read-only commands need: runs, records and alerts, without opening the warehouse. */
export interface RunReader {
  readonly workflow: Pick<Workflow, "describe" | "list" | "history">;
  readonly store: ObjectStore;
  readonly alertsOf?: (runId: string) => Promise<Alert[]>;
}

export const runReader = async (stage: string): Promise<RunReader> => {
  if (isLocal(stage)) {
    const config = localConfig({ stage, projectRoot: projectRoot() });
    const paths = stagePaths(config.localRoot as string);
    const alerts = new LocalAlerts(paths.alerts, () => undefined);
    return {
      workflow: new LocalExecutionStore(paths.executions),
      store: new LocalObjectStore(paths.root),
      alertsOf: (runId) => alerts.read(runId),
    };
  }
  const app = await cloudApp(stage);
  return { workflow: app.workflow, store: app.store };
};

/** A running `pipeline watch` of the stage, if any (it holds the warehouse). */
export const runningWatch = async (stage: string): Promise<number | undefined> => {
  const file = join(resolve(projectRoot(), ".local", stage), "watch.pid");
  try {
    const pid = Number((await readFile(file, "utf8")).trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
};

/** Left-aligned text table. */
export const table = (headers: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
};

export const stageRequired = (stage: string, command: string): void => {
  if (!isLocal(stage)) {
    throw new ValidationError(
      `${command} runs the local stage only; in ${stage}, S3 notifies SQS and the trigger Lambda starts the runs`,
    );
  }
};
