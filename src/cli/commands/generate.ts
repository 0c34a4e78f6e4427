import { resolve } from "node:path";
import type { Command } from "commander";
import { generateToDirectory } from "../../generator/index.js";
import { consentToDelete, nonGeneratedFiles } from "../../local/fresh-stage.js";
import { stageOption } from "../stage-option.js";
import { terminalConfirm } from "./shared.js";

const integer = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new Error(`not an integer: ${value}`);
  return parsed;
};

export const registerGenerateCommand = (program: Command): void => {
  program
    .command("generate")
    .description("generate deterministic sample data (raw files per day) and its expected truth")
    .addOption(stageOption())
    .option("--orders <n>", "number of orders", integer, 1000)
    .option("--days <n>", "number of days the orders spread over", integer, 14)
    .option("--seed <n>", "random seed", integer, 42)
    .option("--start <date>", "first business date (YYYY-MM-DD)", "2017-01-02")
    .option("--out <dir>", "output folder (raw/ and expected/ inside)", ".local/sample")
    .option("--no-expected-rows", "skip expected/curated and expected/quarantine (truth.json only)")
    .option(
      "--force",
      "replace raw/ and expected/ under --out even when they hold files the generator did not write",
    )
    .action(
      async (options: {
        orders: number;
        days: number;
        seed: number;
        start: string;
        out: string;
        expectedRows: boolean;
        force?: boolean;
      }) => {
        // The generator empties raw/ and expected/ first: only its own earlier output goes without asking.
        const confirm = terminalConfirm();
        await consentToDelete(options.out, "the output folder", await nonGeneratedFiles(options.out), {
          force: options.force ?? false,
          ...(confirm ? { confirm } : {}),
          out: (text) => process.stdout.write(text),
        });
        const started = performance.now();
        // Streams day by day: memory stays bounded however many orders and days are asked for.
        const { truth, bytes } = await generateToDirectory(
          {
            orders: options.orders,
            days: options.days,
            seed: options.seed,
            startDate: options.start,
            expectedRows: options.expectedRows,
          },
          options.out,
        );
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(
          `generated ${truth.totals.files} files (${(bytes / 1e6).toFixed(1)} MB, ${truth.totals.rows_read} rows: ` +
            `${truth.entities.orders} orders, ${truth.entities.order_items} order items) over ${truth.batch_dates.length} days ` +
            `in ${seconds.toFixed(1)}s -> ${resolve(options.out)}/raw, truth in ${resolve(options.out)}/expected/truth.json\n`,
        );
      },
    );
};
