import type { Command } from "commander";
import type { ReplaySelection } from "../../core/replay.js";
import { startReplay } from "../../core/replay.js";
import { startScheduledRun } from "../../core/scheduled-run.js";
import { ValidationError } from "../../errors.js";
import { stageOption } from "../stage-option.js";
import {
  type ContractsChoice,
  cloudApp,
  contractsOption,
  isLocal,
  localContractsOnly,
  openLocalStage,
  positiveInteger,
  stageTuning,
  switchContractsOption,
} from "./shared.js";

const selectionOf = (options: {
  run?: string;
  object?: string;
  from?: string;
  to?: string;
  source?: string[];
  sinceLastRun?: boolean;
}): ReplaySelection | "since-last-run" => {
  const chosen = [options.run, options.object, options.from ?? options.to, options.sinceLastRun].filter(
    Boolean,
  ).length;
  if (chosen !== 1)
    throw new ValidationError(
      "replay needs exactly one of --run <id>, --object <key>, --from <date> [--to <date>], --since-last-run",
    );
  if (options.sinceLastRun) return "since-last-run";
  if (options.run) return { kind: "run", runId: options.run };
  if (options.object) return { kind: "object", key: options.object };
  const from = options.from ?? (options.to as string);
  return {
    kind: "dates",
    from,
    to: options.to ?? from,
    ...(options.source ? { sources: options.source } : {}),
  };
};

export const registerReplayCommand = (program: Command): void => {
  program
    .command("replay")
    .description("re-run raw objects through the same workflow: a run's files, one object, or a date range")
    .addOption(stageOption())
    .addOption(contractsOption())
    .addOption(switchContractsOption())
    .option("--run <id>", "the files of an earlier run")
    .option("--object <key>", "one raw object key, e.g. orders/dt=2017-01-05/orders.csv")
    .option("--from <YYYY-MM-DD>", "first business date (dt=) of a range")
    .option("--to <YYYY-MM-DD>", "last business date of a range (default: --from)")
    .option("--source <name...>", "only these sources (with a date range)")
    .option(
      "--since-last-run",
      "the raw files written since the stage's last run, as one run (what the daily schedule of dev/prod starts)",
    )
    .option(
      "--max-files <n>",
      "local: files one run takes at most (default: BATCH_MAX_FILES or 200)",
      positiveInteger,
    )
    .option(
      "--spark <mode>",
      "local Spark: cold (a process for this run: the quickest for one window) or warm (one process kept for every run)",
      "cold",
    )
    .action(
      async (
        options: {
          stage: string;
          run?: string;
          object?: string;
          from?: string;
          to?: string;
          source?: string[];
          sinceLastRun?: boolean;
          maxFiles?: number;
          spark: "warm" | "cold";
        } & ContractsChoice,
      ) => {
        localContractsOnly(options.stage, options);
        const selection = selectionOf(options);
        const start = async (app: Parameters<typeof startReplay>[1]): Promise<string[]> => {
          if (selection !== "since-last-run") return startReplay(selection, app);
          const outcome = await startScheduledRun(app);
          process.stdout.write(
            `${outcome.files} file(s) written since ${outcome.since ?? "ever (the stage has no run yet)"}${
              outcome.skipped.length ? `; ${outcome.skipped.length} no contract accepts` : ""
            }${outcome.split ? ` -> ${outcome.runs.length} runs: ${outcome.split}` : ""}\n`,
          );
          return [...outcome.runs];
        };
        if (!isLocal(options.stage)) {
          const app = await cloudApp(options.stage);
          const runs = await start({ ...app, tuning: app.config.tuning });
          if (runs.length === 0) return;
          process.stdout.write(
            `started ${runs.join(", ")}; follow with: pipeline status <run> --stage ${options.stage}\n`,
          );
          return;
        }
        const tuning = stageTuning(options.maxFiles === undefined ? {} : { batchMaxFiles: options.maxFiles });
        const { stage, progress } = await openLocalStage(options.stage, {
          spark: options.spark,
          tuning,
          ...(options.contracts !== undefined ? { contracts: options.contracts } : {}),
          ...(options.switchContracts ? { switchContracts: true } : {}),
        });
        try {
          const runs = await start({ ...stage.app, tuning: stage.config.tuning });
          if (runs.length > 0) process.stdout.write(`replaying as ${runs.join(", ")}\n`);
          await stage.settle();
        } finally {
          await stage.close();
        }
        if (progress.finished.some((run) => run.status !== "SUCCEEDED")) process.exitCode = 2;
      },
    );
};
