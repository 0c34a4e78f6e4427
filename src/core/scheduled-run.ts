import { z } from "zod";
import type { Tuning } from "../config/index.js";
import type { RunInputObject } from "../documents/run-input.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Workflow } from "../ports/workflow.js";
import type { ContractSource, Log } from "./deps.js";
import { classifyKey, isFolderMarker, routedFields } from "./objects.js";
import { startRuns } from "./replay.js";
import { explainSplit, planSplit } from "./trigger.js";
import { objectVersion } from "./versions.js";

/** The event EventBridge Scheduler sends the scheduled-run function (the schedule's `Input`, serverless.yml). */
export const scheduledRunEventSchema = z.strictObject({ schedule: z.string().min(1) });

/** What a scheduled run did: the runs it started for the files that arrived since the last run. */
export interface ScheduledRunOutcome {
  /** The start of the stage's most recent run (any trigger), or null when the stage has none yet. */
  readonly since: string | null;
  readonly requested_at: string;
  /** Raw objects written after `since` that a contract accepts. */
  readonly files: number;
  /** Raw objects written after `since` that no contract accepts (recorded under _unrouted by the trigger). */
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
  readonly runs: readonly string[];
  /** Why the files became several runs (the batch-window bounds), or null for one run or none. */
  readonly split: string | null;
}

export interface ScheduledRunDeps {
  readonly store: ObjectStore;
  readonly contracts: ContractSource;
  readonly workflow: Pick<Workflow, "list" | "start">;
  readonly log: Log;
  readonly now: () => Date;
  readonly tuning: Pick<Tuning, "batchMaxFiles" | "batchMaxBytes" | "batchMaxInputChars">;
}

/**
 * The scheduled (daily) run: starts one run for the raw files that arrived since the stage's last run, the
 * Airflow-style nightly batch beside the event-driven trigger. "Since the last run" is the start of the most recent
 * execution of the state machine, whatever started it (an S3 event, a replay, an earlier schedule): a file written
 * after it cannot be in any run yet. A stage with no run yet takes every raw file. Nothing new: no run, and the
 * outcome says so.
 *
 * The run is formed like a replay (it reads the raw zone as it is now: each object's current ETag and size, the
 * version token of the request time, a `replay-…` name salted with that time) with trigger `schedule`, and split
 * only past the same batch-window bounds as the trigger's.
 *
 * @example
 *   const outcome = await startScheduledRun(deps);
 *   outcome.runs; // ["replay-20170106-5d0c…"], or [] when no file arrived since the last run
 */
export const startScheduledRun = async (deps: ScheduledRunDeps): Promise<ScheduledRunOutcome> => {
  const requestedAt = deps.now().toISOString();
  const [last] = await deps.workflow.list(1);
  const since = last?.startedAt ?? null;
  const bundle = await deps.contracts.get();
  const version = objectVersion(requestedAt);
  const objects: RunInputObject[] = [];
  const skipped: { key: string; reason: string }[] = [];
  for (const info of await deps.store.list("raw", "")) {
    if (isFolderMarker(info.key)) continue;
    const written = Date.parse(info.lastModified);
    if (since !== null && written <= Date.parse(since)) continue;
    if (written > Date.parse(requestedAt)) continue;
    const routed = classifyKey(info.key, bundle);
    if (!routed.ok) {
      skipped.push({ key: info.key, reason: routed.reason });
      continue;
    }
    objects.push({
      bucket: deps.store.bucketName("raw"),
      key: info.key,
      etag: info.etag,
      size: info.size,
      ...routedFields(routed),
      uploaded_at: info.lastModified,
      version,
    });
  }
  const base = { since, requested_at: requestedAt, files: objects.length, skipped };
  if (objects.length === 0) {
    deps.log.info("scheduled run: no file arrived since the last run", { since, skipped: skipped.length });
    return { ...base, runs: [], split: null };
  }
  const plan = planSplit(
    objects.map((object) => ({ object })),
    deps.tuning,
  );
  const runs = await startRuns(plan.chunks, { requestedAt, trigger: "schedule", logged: { since } }, deps);
  return { ...base, runs, split: runs.length > 1 ? explainSplit(plan.reasons, deps.tuning) : null };
};
