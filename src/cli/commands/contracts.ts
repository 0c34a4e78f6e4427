import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "commander";
import { loadContractBundle } from "../../contracts/index.js";
import { stageOption } from "../stage-option.js";

export const registerContractsCommand = (program: Command): void => {
  const contracts = program.command("contracts").description("validate and compile the source contracts");
  contracts
    .command("bundle")
    .description("validate contracts/*.yaml and write the compiled bundle the Spark job and Lambdas read")
    .addOption(stageOption())
    .option("--dir <dir>", "contracts folder", "contracts")
    .option("--out <file>", "bundle file", ".build/contracts.bundle.json")
    .action(async (options: { dir: string; out: string }) => {
      const bundle = await loadContractBundle(options.dir);
      await mkdir(dirname(options.out), { recursive: true });
      await writeFile(options.out, `${JSON.stringify(bundle, null, 2)}\n`);
      const sources = Object.keys(bundle.sources);
      process.stdout.write(
        `contracts: ${sources.length} sources valid (${sources.join(", ")}) -> ${options.out}\n`,
      );
    });
  contracts
    .command("validate")
    .description("validate contracts/*.yaml")
    .addOption(stageOption())
    .option("--dir <dir>", "contracts folder", "contracts")
    .action(async (options: { dir: string }) => {
      const bundle = await loadContractBundle(options.dir);
      process.stdout.write(`contracts: ${Object.keys(bundle.sources).length} valid\n`);
    });
};
