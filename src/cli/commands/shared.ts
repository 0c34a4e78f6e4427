import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, Option } from "commander";
import { LocalAlerts } from "../../adapters/local/local-alerts.js";
import { LocalObjectStore } from "../../adapters/local/local-object-store.js";
import { LocalExecutionStore } from "../../adapters/local/local-workflow.js";
import type { App } from "../../app/app.js";
import { stagePaths } from "../../app/local.js";
import { loadConfig, localConfig, localTuning, type Tuning } from "../../config/index.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { processExists } from "../../local/recovery.js";
import { LocalStage } from "../../local/stage.js";
import { stageContractsDir } from "../../local/stage-contracts.js";
import type { Alert } from "../../ports/alerts.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { Workflow } from "../../ports/workflow.js";
import { Progress } from "../presentation/progress.js";
import { isCloudStage } from "../stage-option.js";

/** The repository root (the CLI runs its own files from there). */
export const projectRoot = (): string => fileURLToPath(new URL("../../../", import.meta.url));

/** Every stage but dev and prod is local: a folder `.local/<stage>/` of its own. */
export const isLocal = (stage: string): boolean => !isCloudStage(stage);

/** The folder of a local stage. */
export const localStageRoot = (stage: string): string => resolve(projectRoot(), ".local", stage);

/** The local stages that exist (folders under `.local/` holding a stage). */
export const localStages = async (): Promise<string[]> => {
  const { readdir } = await import("node:fs/promises");
  const names: string[] = [];
  try {
    for (const entry of await readdir(resolve(projectRoot(), ".local"), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      try {
        await stat(join(resolve(projectRoot(), ".local", entry.name), "buckets"));
        names.push(entry.name);
      } catch {
        // not a stage (e.g. generated sample data)
      }
    }
  } catch {
    // no .local yet
  }
  return names.sort();
};

/**
 * Fails with the stages that exist when a read-only command names a local stage that does not (a typo
 * would otherwise open an empty stage).
 */
export const requireLocalStage = async (stage: string): Promise<string> => {
  const root = localStageRoot(stage);
  try {
    await stat(join(root, "buckets"));
    return root;
  } catch {
    const known = await localStages();
    throw new NotFoundError(
      `no local stage named ${stage} (${root} holds none); local stages here: ${known.join(", ") || "none yet"}`,
    );
  }
};

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

/** The options of the commands that deploy a local stage's contracts: `--contracts <dir>`, `--switch-contracts`. */
export interface ContractsChoice {
  readonly contracts?: string;
  readonly switchContracts?: boolean;
}

/**
 * The `--contracts <dir>` option of the commands that open a local stage (drop, watch, replay).
 *
 * @example
 *   program.command("watch").addOption(stageOption()).addOption(contractsOption()).addOption(switchContractsOption());
 */
export const contractsOption = (): Option =>
  new Option(
    "--contracts <dir>",
    "local stage: the contracts folder it deploys (e.g. examples/contracts); remembered by the stage, default contracts/",
  );

/** `--switch-contracts`: deploy `--contracts` to a stage created with another folder. */
export const switchContractsOption = (): Option =>
  new Option(
    "--switch-contracts",
    "local stage: deploy --contracts to a stage that was created with another contracts folder",
  );

/** Refuses `--contracts` and `--switch-contracts` for dev and prod, whose contracts are deployed with the stack. */
export const localContractsOnly = (stage: string, choice: ContractsChoice): void => {
  if (!isLocal(stage) && (choice.contracts !== undefined || choice.switchContracts)) {
    throw new ValidationError(
      `--contracts and --switch-contracts apply to local stages; ${stage} routes by the contracts bundle deployed ` +
        "with its stack (docs/deploy.md)",
    );
  }
};

/** A local stage's contracts folder for a command: what it names, else what the stage remembers (stage-contracts.ts). */
export const localContractsDir = (stage: string, choice: ContractsChoice): Promise<string> =>
  stageContractsDir(localStageRoot(stage), projectRoot(), {
    ...(choice.contracts !== undefined ? { requested: choice.contracts } : {}),
    ...(choice.switchContracts ? { switchContracts: true } : {}),
  });

/** Opens the local stage with progress shown on stdout. */
export const openLocalStage = async (
  stage: string,
  options: {
    spark?: "warm" | "cold";
    windowMs?: number;
    quiet?: boolean;
    tuning?: Partial<Tuning>;
  } & ContractsChoice = {},
): Promise<{ stage: LocalStage; progress: Progress }> => {
  const progress = new Progress(process.stdout, stage);
  const opened = await LocalStage.open({
    projectRoot: projectRoot(),
    stage,
    ...(options.contracts !== undefined ? { contractsDir: options.contracts } : {}),
    ...(options.switchContracts ? { switchContracts: true } : {}),
    spark: options.spark ?? "warm",
    ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
    tuning: options.tuning ?? stageTuning(),
    print: progress.print,
    ...(options.quiet ? {} : { onWorkflowEvent: progress.handle }),
  });
  return { stage: opened, progress };
};

/**
 * A local stage's batch-window bounds: the command's options over the environment (`BATCH_MAX_FILES`,
 * `BATCH_MAX_BYTES`, `BATCH_MAX_INPUT_CHARS`) over the defaults.
 */
export const stageTuning = (overrides: Partial<Tuning> = {}): Partial<Tuning> =>
  localTuning(process.env, overrides);

/** Commander parser for a positive whole number option. */
export const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("must be a whole number >= 1");
  return parsed;
};

/** What the read-only commands need: runs, records and alerts, without opening the warehouse. */
export interface RunReader {
  readonly workflow: Pick<Workflow, "describe" | "list" | "history">;
  readonly store: ObjectStore;
  readonly alertsOf?: (runId: string) => Promise<Alert[]>;
  /** Local stages: runs still RUNNING whose process is gone (the next open of the stage recovers them). */
  readonly orphaned?: () => Promise<Set<string>>;
}

export const runReader = async (stage: string): Promise<RunReader> => {
  if (isLocal(stage)) {
    await requireLocalStage(stage);
    const config = localConfig({ stage, projectRoot: projectRoot() });
    const paths = stagePaths(config.localRoot as string);
    const alerts = new LocalAlerts(paths.alerts, () => undefined);
    const executions = new LocalExecutionStore(paths.executions);
    return {
      workflow: executions,
      store: new LocalObjectStore(paths.root),
      alertsOf: (runId) => alerts.read(runId),
      orphaned: async () =>
        new Set(
          (await executions.unfinished())
            .filter((run) => run.ownerPid === undefined || !processExists(run.ownerPid))
            .map((run) => run.name),
        ),
    };
  }
  const app = await cloudApp(stage);
  return { workflow: app.workflow, store: app.store };
};

/** A running `pipeline watch` of the stage, if any (it holds the warehouse). */
export const runningWatch = async (stage: string): Promise<number | undefined> => {
  const file = join(localStageRoot(stage), "watch.pid");
  try {
    const pid = Number((await readFile(file, "utf8")).trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
};

/**
 * A yes/no question on the terminal, or undefined when stdin or stdout is not one (scripts, CI): a
 * command that would delete data then needs `--force`.
 */
export const terminalConfirm = (): ((question: string) => Promise<boolean>) | undefined => {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  return async (question) => {
    const { createInterface } = await import("node:readline/promises");
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return /^y(es)?$/i.test((await prompt.question(question)).trim());
    } finally {
      prompt.close();
    }
  };
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
      `${command} runs local stages only; in ${stage}, S3 notifies SQS and the trigger Lambda starts the runs`,
    );
  }
};
