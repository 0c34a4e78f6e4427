import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { LocalSparkRunner } from "../../adapters/local/local-spark-runner.js";
import { RawWatcher } from "../../local/watch.js";
import { stageOption } from "../stage-option.js";
import {
  type ContractsChoice,
  contractsOption,
  openLocalStage,
  positiveInteger,
  stageRequired,
  stageTuning,
  switchContractsOption,
} from "./shared.js";

export const registerWatchCommand = (program: Command): void => {
  program
    .command("watch")
    .description("watch the local raw bucket and run every batch window that lands in it (Ctrl-C to stop)")
    .addOption(stageOption())
    .addOption(contractsOption())
    .addOption(switchContractsOption())
    .option(
      "--window <seconds>",
      "batching window: drops this close together make one run",
      Number.parseFloat,
      2,
    )
    .option("--spark <mode>", "warm (started now, kept across runs) or cold (one process per run)", "warm")
    .option(
      "--max-files <n>",
      "files one run takes at most (default: BATCH_MAX_FILES or 200)",
      positiveInteger,
    )
    .action(
      async (
        options: {
          stage: string;
          window: number;
          spark: "warm" | "cold";
          maxFiles?: number;
        } & ContractsChoice,
      ) => {
        stageRequired(options.stage, "watch");
        const { stage, progress } = await openLocalStage(options.stage, {
          ...(options.contracts !== undefined ? { contracts: options.contracts } : {}),
          ...(options.switchContracts ? { switchContracts: true } : {}),
          spark: options.spark,
          windowMs: Math.round(options.window * 1000),
          tuning: stageTuning(options.maxFiles === undefined ? {} : { batchMaxFiles: options.maxFiles }),
        });
        const pidFile = join(stage.paths.root, "watch.pid");
        await writeFile(pidFile, String(process.pid));
        const raw = stage.store.bucketPath("raw");
        if (stage.spark instanceof LocalSparkRunner && options.spark === "warm") {
          progress.print("starting the warm Spark process…\n");
          await stage.spark.prewarm();
        }
        const watcher = await RawWatcher.start(stage, (key) => progress.print(`  + ${key}\n`));
        progress.print(
          `watching ${raw}\n  drop files as <source>/dt=YYYY-MM-DD/<file> (or: pipeline drop <file> --source <name>); ` +
            `drops within ${options.window}s form one run. Ctrl-C to stop.\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        progress.print("stopping: finishing the runs under way…\n");
        watcher.stop();
        try {
          await stage.close();
        } finally {
          await rm(pidFile, { force: true });
        }
      },
    );
};
