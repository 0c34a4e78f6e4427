import type { Command } from "commander";
import { runDemo } from "../../local/demo.js";
import { Progress } from "../presentation/progress.js";
import { stageOption } from "../stage-option.js";
import { projectRoot, stageRequired, terminalConfirm } from "./shared.js";

const integer = (value: string): number => Number.parseInt(value, 10);

export const registerDemoCommand = (program: Command): void => {
  program
    .command("demo")
    .description(
      "from nothing: generate sample data, drop it day by day, run every batch through the workflow, summarize",
    )
    .addOption(stageOption("demo"))
    .option("--orders <n>", "orders to generate", integer, 500)
    .option("--days <n>", "days they spread over (one run per day)", integer, 5)
    .option("--seed <n>", "random seed", integer, 42)
    .option("--start <date>", "first business date (YYYY-MM-DD)", "2017-01-30")
    .option("--spark <mode>", "warm (one Spark process for every run) or cold (one per run)", "warm")
    .option("--force", "delete the stage even when it holds data the demo did not put there")
    .action(
      async (options: {
        stage: string;
        orders: number;
        days: number;
        seed: number;
        start: string;
        spark: "warm" | "cold";
        force?: boolean;
      }) => {
        stageRequired(options.stage, "demo");
        const progress = new Progress(process.stdout, options.stage);
        const confirm = terminalConfirm();
        const result = await runDemo({
          projectRoot: projectRoot(),
          stage: options.stage,
          orders: options.orders,
          days: options.days,
          seed: options.seed,
          startDate: options.start,
          spark: options.spark,
          force: options.force ?? false,
          ...(confirm ? { confirm } : {}),
          progress,
          out: progress.print,
        });
        if (result.failedRuns > 0 || !result.matchesTruth) process.exitCode = 2;
      },
    );
};
