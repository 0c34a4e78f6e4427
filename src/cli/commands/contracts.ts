import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import {
  buildBundle,
  checkFeedExpressions,
  compileSource,
  loadContractBundle,
  readContracts,
} from "../../contracts/index.js";
import { rulesReference } from "../../contracts/rules-reference.js";
import { ValidationError } from "../../errors.js";
import { stageOption } from "../stage-option.js";
import { projectRoot } from "./shared.js";

/** `--contracts <dir>`, or its older name `--dir`. */
interface FolderOptions {
  readonly contracts?: string;
  readonly dir?: string;
}

const contractsFolder = (options: FolderOptions): string => {
  if (options.contracts !== undefined && options.dir !== undefined && options.contracts !== options.dir) {
    throw new ValidationError("--contracts and --dir name the same thing: give one");
  }
  return options.contracts ?? options.dir ?? "contracts";
};

export const registerContractsCommand = (program: Command): void => {
  const contracts = program.command("contracts").description("validate and compile the source contracts");
  contracts
    .command("bundle")
    .description("validate contracts/*.yaml and write the compiled bundle the Spark job and Lambdas read")
    .addOption(stageOption())
    .option("--contracts <dir>", "contracts folder (default: contracts)")
    .option("--dir <dir>", "the same as --contracts")
    .option("--out <file>", "bundle file", ".build/contracts.bundle.json")
    .action(async (options: FolderOptions & { out: string }) => {
      const bundle = await loadContractBundle(contractsFolder(options));
      await mkdir(dirname(options.out), { recursive: true });
      await writeFile(options.out, `${JSON.stringify(bundle, null, 2)}\n`);
      const sources = Object.keys(bundle.sources);
      process.stdout.write(
        `contracts: ${sources.length} sources valid (${sources.join(", ")}) -> ${options.out}\n`,
      );
    });
  contracts
    .command("rules")
    .description(
      "print the reference of every quality rule (parameters, defaults, an example); docs/contract-rules.md",
    )
    .action(() => {
      process.stdout.write(rulesReference());
    });
  contracts
    .command("validate")
    .description(
      "validate contracts/*.yaml (or --contracts <dir>): shapes and rules, then every feed filter and mapping expression with Spark's " +
        "own analyser (a short local Spark session; --no-spark skips it)",
    )
    .addOption(stageOption())
    .option("--contracts <dir>", "contracts folder (default: contracts), e.g. examples/contracts")
    .option("--dir <dir>", "the same as --contracts")
    .option("--no-spark", "skip the Spark check of feed expressions")
    .action(async (options: FolderOptions & { spark: boolean }) => {
      const contracts = readContracts(contractsFolder(options));
      const bundle = buildBundle(
        Object.fromEntries(contracts.map(({ contract }) => [contract.source, compileSource(contract)])),
      );
      const count = Object.keys(bundle.sources).length;
      if (!options.spark) {
        process.stdout.write(`contracts: ${count} valid (feed expressions not checked: --no-spark)\n`);
        return;
      }
      const root = projectRoot();
      const problems = await checkFeedExpressions(
        bundle,
        Object.fromEntries(contracts.map(({ file, contract }) => [contract.source, file])),
        { python: join(root, ".venv", "bin", "python"), sparkSrc: join(root, "spark", "src") },
      );
      for (const problem of problems) {
        process.stderr.write(`${problem.file}: ${problem.path}: ${problem.expression}: ${problem.message}\n`);
      }
      if (problems.length > 0) {
        process.stderr.write(`contracts: ${problems.length} feed expression(s) Spark cannot run\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`contracts: ${count} valid, feed expressions checked by Spark\n`);
    });
};
