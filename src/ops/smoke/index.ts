import { PipelineError } from "../../errors.js";
import type { Row, SqlParams } from "../../ports/warehouse.js";
import type { SqlStatement } from "../../warehouse/sql-files.js";
import { type CanaryIds, CLEANUP, canaryFiles, canaryParams, VERIFY } from "./canary.js";

export {
  CANARY_DATE,
  CANARY_PREFIX,
  type CanaryIds,
  canaryFiles,
  canaryIds,
  idsFromNonce,
} from "./canary.js";

/** The smoke test did not see the canary through (which step, and why, is in the message). */
export class SmokeTestError extends PipelineError {}

/** What the smoke test needs of a deployed stage; the CLI wires these to S3, Step Functions and the Data API. */
export interface SmokeDeps {
  /** Writes a file into the RAW bucket (an ObjectCreated event, as a real drop). */
  readonly putRaw: (key: string, body: string) => Promise<void>;
  /** Deletes every version of a RAW key (the bucket is versioned: no delete marker left behind). */
  readonly deleteRawVersions: (key: string) => Promise<number>;
  /** The execution whose input names this RAW key, once it has started. */
  readonly findRun: (key: string) => Promise<{ runId: string; status: string } | undefined>;
  readonly select: (statement: SqlStatement, params: SqlParams) => Promise<Row[]>;
  readonly transaction: (statements: readonly SqlStatement[], params: SqlParams) => Promise<void>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  readonly say: (line: string) => void;
}

export interface SmokeOptions {
  /** How long to wait for the run to start and finish (the batch window, Spark start-up, the load). */
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** Leave the canary rows and files in place (to inspect them); they are removed otherwise, pass or fail. */
  readonly keep: boolean;
}

export interface SmokeReport {
  readonly runId: string | null;
  readonly status: string;
  readonly checks: readonly { readonly what: string; readonly ok: boolean; readonly observed: number }[];
  readonly cleaned: boolean;
}

/**
 * Drops the canary files (one customer, one order, under the reserved date 2010-01-01 and ids starting with
 * `smoke-`), waits for the run that picks them up, checks that the order reached star.fact_orders with its
 * customer and that ops.runs recorded the run as succeeded, then removes the canary rows (one transaction) and
 * every version of the canary files. Safe on a stage with real traffic: it writes and deletes only its own keys
 * and rows; a real file landing in the same batch window simply shares the run.
 *
 * @example
 *   const report = await runSmoke(canaryIds(new Date(), "a1b2"), deps, { timeoutMs: 1_800_000, pollMs: 10_000, keep: false });
 */
export const runSmoke = async (
  ids: CanaryIds,
  deps: SmokeDeps,
  options: SmokeOptions,
): Promise<SmokeReport> => {
  const files = canaryFiles(ids);
  for (const file of files) {
    await deps.putRaw(file.key, file.body);
    deps.say(`dropped ${file.key}`);
  }
  let runId: string | null = null;
  let status = "NOT_STARTED";
  let checks: SmokeReport["checks"] = [];
  try {
    const deadline = deps.now().getTime() + options.timeoutMs;
    const key = files[files.length - 1]?.key ?? "";
    for (;;) {
      const run = await deps.findRun(key);
      if (run) {
        if (runId === null) deps.say(`run ${run.runId} started`);
        runId = run.runId;
        status = run.status;
        if (status !== "RUNNING") break;
      }
      if (deps.now().getTime() >= deadline) {
        throw new SmokeTestError(
          runId
            ? `run ${runId} still ${status} after ${options.timeoutMs / 1000} s`
            : `no run picked up ${key} within ${options.timeoutMs / 1000} s: check the RAW bucket's notification (pipeline doctor) and the raw-events DLQ`,
        );
      }
      await deps.sleep(options.pollMs);
    }
    deps.say(`run ${runId} ${status}`);
    if (status !== "SUCCEEDED") {
      throw new SmokeTestError(
        `run ${runId} ended ${status}: pipeline status ${runId} --stage <stage> says where`,
      );
    }
    const params = canaryParams(ids, runId ?? "");
    const observed: { what: string; ok: boolean; observed: number }[] = [];
    for (const check of VERIFY) {
      const n = Number((await deps.select(check, params))[0]?.n ?? 0);
      observed.push({ what: check.what, ok: check.expect(n), observed: n });
      deps.say(`${check.expect(n) ? "ok  " : "FAIL"} ${check.what} (${n})`);
    }
    checks = observed;
    const failed = observed.filter((c) => !c.ok);
    if (failed.length) {
      throw new SmokeTestError(`the run succeeded but ${failed.map((c) => c.what).join("; ")} did not hold`);
    }
    return { runId, status, checks, cleaned: await cleanUp(ids, runId ?? "", deps, options) };
  } catch (error) {
    if (status === "RUNNING") {
      // Its merge may still insert the canary rows: removing them now would race it.
      deps.say(
        `run ${runId} still running: canary left in place; later: pipeline smoke --stage <stage> --cleanup ${ids.nonce}`,
      );
    } else {
      await cleanUp(ids, runId ?? "", deps, options).catch((cleanupError: unknown) =>
        deps.say(`cleanup failed too: ${(cleanupError as Error).message}`),
      );
    }
    throw error;
  }
};

/**
 * Removes the canary rows of `ids` (one transaction) and every version of its RAW files.
 *
 * @example
 *   await cleanUp(idsFromNonce("smoke-20261206211000-a1b2"), "", deps, { keep: false });
 */
export const cleanUp = async (
  ids: CanaryIds,
  runId: string,
  deps: Pick<SmokeDeps, "transaction" | "deleteRawVersions" | "say">,
  options: Pick<SmokeOptions, "keep">,
): Promise<boolean> => {
  if (options.keep) {
    deps.say(`kept the canary (--keep): ids ${ids.nonce}-*`);
    return false;
  }
  await deps.transaction(CLEANUP, canaryParams(ids, runId));
  let versions = 0;
  for (const file of canaryFiles(ids)) versions += await deps.deleteRawVersions(file.key);
  deps.say(`removed the canary rows and ${versions} RAW object version(s)`);
  return true;
};
