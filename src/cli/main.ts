import { Command, CommanderError } from "commander";
import { ContractError, NotFoundError, PipelineError, TransientError, ValidationError } from "../errors.js";
import { registerContractsCommand } from "./commands/contracts.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerDropCommand } from "./commands/drop.js";
import { registerGenerateCommand } from "./commands/generate.js";
import { registerJobsCommand } from "./commands/jobs.js";
import { registerQuarantineCommand } from "./commands/quarantine.js";
import { registerQueryCommand } from "./commands/query.js";
import { registerReplayCommand } from "./commands/replay.js";
import { registerReportCommand } from "./commands/report.js";
import { registerRunsCommand } from "./commands/runs.js";
import { registerSmokeCommand } from "./commands/smoke.js";
import { registerStatusCommand } from "./commands/status.js";
import { registerWatchCommand } from "./commands/watch.js";

/** Builds the `pipeline` CLI. Every command accepts `--stage` (local, dev, prod). */
export const buildProgram = (): Command => {
  const program = new Command("pipeline")
    .description("Sales analytics pipeline: run it locally, drop files, inspect runs, replay.")
    .showHelpAfterError("(run with --help for usage)");
  registerContractsCommand(program);
  registerGenerateCommand(program);
  registerDropCommand(program);
  registerWatchCommand(program);
  registerRunsCommand(program);
  registerStatusCommand(program);
  registerReplayCommand(program);
  registerQueryCommand(program);
  registerQuarantineCommand(program);
  registerReportCommand(program);
  registerDemoCommand(program);
  registerJobsCommand(program);
  registerDoctorCommand(program);
  registerSmokeCommand(program);
  return program;
};

/** The hint for an error, by the kind it is (a subclass, e.g. a ValidationError of one reader, takes its kind's). */
const hintFor = (error: unknown): string => {
  if (!(error instanceof PipelineError)) return "run with DEBUG=1 for the stack trace";
  if (error instanceof ContractError) return "fix the contract file and run again";
  if (error instanceof ValidationError) {
    return error.message.startsWith("configuration")
      ? "for dev/prod, set the environment the deployed stack exports (see docs/deploy.md)"
      : "check the command's arguments (--help)";
  }
  if (error instanceof NotFoundError) return "list what exists with `pipeline runs --stage <stage>`";
  if (error instanceof TransientError) return "this may pass if tried again";
  if (error.name === "QueryError") {
    return "fix the statement (Redshift dialect; a local stage runs it on DuckDB after translation)";
  }
  return "the run record has the detail (`pipeline status <run>`); DEBUG=1 prints the stack trace";
};

/**
 * Runs a CLI program and returns its exit code: 0, or the code a command set (`process.exitCode = 2` for a
 * failed, partial or quality-failed run), or 1 for an error. The caller sets `process.exitCode` from it, so a
 * command's code must be carried through here rather than overwritten with 0.
 */
export const runProgram = async (program: Command, argv: readonly string[]): Promise<number> => {
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.exitOverride().parseAsync([...argv], { from: "user" });
    const code = process.exitCode;
    return typeof code === "number" ? code : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\nhint: ${hintFor(error)}\n`);
    if (process.env.DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ""}\n`);
    return 1;
  } finally {
    process.exitCode = before;
  }
};

export const main = (argv: readonly string[]): Promise<number> => runProgram(buildProgram(), argv);

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
