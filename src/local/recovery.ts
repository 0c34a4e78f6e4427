import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { SparkProcessRecord } from "../adapters/local/local-spark-runner.js";
import type { LocalExecutionStore } from "../adapters/local/local-workflow.js";

/**
 * Crash recovery of a local stage. The local stage is the Step Functions service of its runs: when the
 * process running them dies (killed, Ctrl-C twice, out of memory), its executions stay RUNNING forever, its
 * Spark process may go on writing outputs for a run nobody will finish, and rows the run loaded into staging
 * are never merged nor cleared. The next process to open the stage (it holds the warehouse, so no other
 * process is running the stage) finds them and:
 *
 * 1. stops the Spark processes the dead process started (recorded by the Spark runner), so nothing writes
 *    for a dead run any more;
 * 2. ends each execution left RUNNING by a process that is gone as FAILED (`Local.ProcessDied`, with the
 *    state it was in), which frees its files for `pipeline replay --run <id>`;
 * 3. lets auto-copy load whatever the dead runs had published, then clears those runs' staging rows.
 */

/** What the recovery needs of the stage. */
export interface RecoveryDeps {
  readonly executions: Pick<LocalExecutionStore, "unfinished" | "markFailed">;
  readonly warehouse: {
    ingestNewFiles(): Promise<unknown>;
    clearStaging(runId: string): Promise<Record<string, number>>;
  };
  /** The Spark runner's `processDirectory`. */
  readonly sparkProcesses: string;
  readonly now: () => Date;
  /** Whether a process exists (default: signal 0). */
  readonly isAlive?: (pid: number) => boolean;
  /**
   * Whether `pid` is one of this project's Spark processes, undefined when it cannot tell (default: its
   * command line, from /proc).
   */
  readonly isSpark?: (pid: number) => Promise<boolean | undefined>;
}

export interface RecoveredRun {
  readonly runId: string;
  /** The process that was running it, if the record says. */
  readonly ownerPid: number | undefined;
  /** The state it was in when its process died. */
  readonly state: string | undefined;
  readonly error: string;
  readonly cause: string;
  /** Staging rows removed, per staging table with any. */
  readonly stagingRowsCleared: Readonly<Record<string, number>>;
}

export interface RecoveryReport {
  readonly runs: readonly RecoveredRun[];
  /** Spark processes of a dead process that were stopped. */
  readonly stoppedSpark: readonly { readonly pid: number; readonly runId: string | null }[];
  /** Spark processes that could not be checked (no /proc) and were left alone. */
  readonly uncheckedSpark: readonly number[];
}

export const PROCESS_DIED = "Local.ProcessDied";

/** True when a process with this id exists (ours to signal or not). */
export const processExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Reads a process's command line on Linux; undefined where /proc is not available. */
const commandLine = async (pid: number): Promise<string | undefined> => {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\u0000", " ");
  } catch {
    return undefined;
  }
};

/** Whether a process runs this project's Spark code: undefined when its command line cannot be read. */
const isProjectSpark = async (pid: number): Promise<boolean | undefined> => {
  const command = await commandLine(pid);
  return command === undefined ? undefined : /pipeline_spark|job\.py/.test(command);
};

const waitUntilGone = async (
  pid: number,
  alive: (pid: number) => boolean,
  timeoutMs = 10_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
};

const stopOrphanedSpark = async (
  deps: RecoveryDeps,
  alive: (pid: number) => boolean,
): Promise<Pick<RecoveryReport, "stoppedSpark" | "uncheckedSpark">> => {
  const stoppedSpark: { pid: number; runId: string | null }[] = [];
  const uncheckedSpark: number[] = [];
  let files: string[];
  try {
    files = (await readdir(deps.sparkProcesses)).filter((file) => file.endsWith(".json"));
  } catch {
    return { stoppedSpark, uncheckedSpark };
  }
  for (const file of files.sort()) {
    const path = join(deps.sparkProcesses, file);
    let record: SparkProcessRecord;
    try {
      record = JSON.parse(await readFile(path, "utf8")) as SparkProcessRecord;
    } catch {
      await rm(path, { force: true });
      continue;
    }
    if (record.parent === process.pid || alive(record.parent)) continue;
    if (alive(record.pid)) {
      // A pid can be reused: signal it only when it still runs this project's Spark code.
      const spark = await (deps.isSpark ?? isProjectSpark)(record.pid);
      if (spark === undefined) {
        uncheckedSpark.push(record.pid);
        continue;
      }
      if (spark) {
        process.kill(record.pid, "SIGKILL");
        await waitUntilGone(record.pid, alive);
        stoppedSpark.push({ pid: record.pid, runId: record.run_id });
      }
    }
    await rm(path, { force: true });
  }
  return { stoppedSpark, uncheckedSpark };
};

/**
 * Finds the runs a dead process left RUNNING in a local stage and ends them (see the module comment).
 * Call it when the stage is opened, before it starts anything.
 *
 * @example
 *   const report = await recoverStage({ executions, warehouse, sparkProcesses, now: () => new Date() });
 *   report.runs; // [{ runId: "run-20170105-…", state: "Transform", stagingRowsCleared: {}, … }]
 */
export const recoverStage = async (deps: RecoveryDeps): Promise<RecoveryReport> => {
  const alive = deps.isAlive ?? processExists;
  const spark = await stopOrphanedSpark(deps, alive);
  const dead = (await deps.executions.unfinished()).filter(
    (execution) =>
      execution.ownerPid !== process.pid && (execution.ownerPid === undefined || !alive(execution.ownerPid)),
  );
  if (dead.length === 0) return { runs: [], ...spark };
  const now = deps.now();
  // What the dead runs published is loaded now rather than by a later run's AwaitLoad, then cleared; a run is
  // marked FAILED last, so a recovery that fails half way is tried again by the next open.
  await deps.warehouse.ingestNewFiles();
  const runs: RecoveredRun[] = [];
  for (const execution of dead) {
    const cleared = await deps.warehouse.clearStaging(execution.name);
    const owner =
      execution.ownerPid === undefined ? "its process" : `its process (pid ${execution.ownerPid})`;
    const cause =
      `${owner} ended while the run was ${execution.state ? `in ${execution.state}` : "starting"}; ` +
      `found RUNNING and failed at ${now.toISOString()} when the stage was opened again. ` +
      `Its files run again with: pipeline replay --run ${execution.name}`;
    if (await deps.executions.markFailed(execution.name, PROCESS_DIED, cause, now)) {
      runs.push({
        runId: execution.name,
        ownerPid: execution.ownerPid,
        state: execution.state,
        error: PROCESS_DIED,
        cause,
        stagingRowsCleared: Object.fromEntries(Object.entries(cleared).filter(([, rows]) => rows > 0)),
      });
    }
  }
  return { runs, ...spark };
};

/**
 * The lines the CLI prints about a recovery.
 *
 * @example
 *   recoveryLines(report, "local"); // ["recovered 1 run left RUNNING by a process that is gone:", …]
 */
export const recoveryLines = (report: RecoveryReport, stage: string): string[] => {
  const lines: string[] = [];
  for (const spark of report.stoppedSpark) {
    lines.push(
      `stopped Spark process ${spark.pid}${spark.runId ? ` (run ${spark.runId})` : ""}, left running by a process that is gone`,
    );
  }
  for (const pid of report.uncheckedSpark) {
    lines.push(
      `a Spark process (pid ${pid}) of a process that is gone may still run; it was not checked here`,
    );
  }
  if (report.runs.length > 0) {
    lines.push(
      `recovered ${report.runs.length} run${report.runs.length === 1 ? "" : "s"} left RUNNING by a process that is gone:`,
    );
  }
  for (const run of report.runs) {
    const rows = Object.values(run.stagingRowsCleared).reduce((sum, n) => sum + n, 0);
    lines.push(
      `  ✗ ${run.runId} was ${run.state ? `in ${run.state}` : "starting"}${run.ownerPid ? ` (pid ${run.ownerPid})` : ""}: ` +
        `marked FAILED (${run.error}); ${rows} staging row${rows === 1 ? "" : "s"} cleared`,
      `    run its files again: pipeline replay --run ${run.runId} --stage ${stage}`,
    );
  }
  return lines;
};
