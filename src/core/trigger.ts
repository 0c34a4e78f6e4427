import type { Tuning } from "../config/index.js";
import type { RunInputObject } from "../documents/run-input.js";
import { writeJson } from "../documents/store.js";
import type { Alerts } from "../ports/alerts.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Workflow } from "../ports/workflow.js";
import type { ContractSource, Log } from "./deps.js";
import { unroutedKey } from "./layout.js";
import { classifyKey, isFolderMarker, routedFields } from "./objects.js";
import { runInputFor } from "./run-id.js";
import { objectVersion } from "./versions.js";

/** One S3 ObjectCreated record, its key already URL-decoded, with the SQS message it came in. */
export interface S3ObjectEvent {
  readonly messageId: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly sequencer?: string;
  readonly versionId?: string;
}

export interface TriggerOutcome {
  readonly batchItemFailures: { itemIdentifier: string }[];
  readonly runs: { runId: string; files: number; alreadyExisted: boolean }[];
  /** Why the window became more than one run (empty when it is one). */
  readonly splitReasons: SplitReason[];
  readonly unroutable: { key: string; reason: string }[];
  readonly ignored: number;
}

export interface TriggerDeps {
  readonly store: ObjectStore;
  readonly workflow: Workflow;
  readonly alerts: Alerts;
  readonly contracts: ContractSource;
  readonly log: Log;
  readonly now: () => Date;
  readonly tuning: Pick<Tuning, "batchMaxFiles" | "batchMaxBytes" | "batchMaxInputChars">;
}

interface Accepted {
  readonly event: S3ObjectEvent;
  readonly object: RunInputObject;
}

/** S3 sequencers are hex strings of varying length: compare them right-aligned. */
const compareSequencer = (a = "", b = ""): number => {
  const width = Math.max(a.length, b.length);
  const left = a.padStart(width, "0");
  const right = b.padStart(width, "0");
  return left < right ? -1 : left > right ? 1 : 0;
};

/** Which bound closed a run early: the setting that would let a window stay one run. */
export type SplitReason = "files" | "bytes" | "input_size";

/** The setting behind each bound (environment variable; the CLI's `--max-files` sets the first). */
export const SPLIT_SETTINGS: Record<SplitReason, { readonly variable: string; readonly what: string }> = {
  files: { variable: "BATCH_MAX_FILES", what: "files" },
  bytes: { variable: "BATCH_MAX_BYTES", what: "bytes" },
  input_size: { variable: "BATCH_MAX_INPUT_CHARS", what: "characters of execution input" },
};

/**
 * Splits a window's objects into runs: one run for the whole window unless it passes a bound
 * (files, bytes, or the size of the execution input). Objects are taken in key order so the split
 * is deterministic. `reasons` says, for each run but the last, which bound closed it.
 *
 * @example
 *   planSplit(objects, { batchMaxFiles: 200, batchMaxBytes: 20e9, batchMaxInputChars: 120000 });
 *   // { chunks: [[…200], […105]], reasons: ["files"] }
 */
export const planSplit = <T extends { object: RunInputObject }>(
  items: readonly T[],
  bounds: TriggerDeps["tuning"],
): { chunks: T[][]; reasons: SplitReason[] } => {
  const sorted = [...items].sort((a, b) =>
    a.object.key < b.object.key ? -1 : a.object.key > b.object.key ? 1 : 0,
  );
  const chunks: T[][] = [];
  const reasons: SplitReason[] = [];
  let current: T[] = [];
  let bytes = 0;
  let chars = 0;
  for (const item of sorted) {
    const itemChars = JSON.stringify(item.object).length + 1;
    const reason: SplitReason | undefined =
      current.length >= bounds.batchMaxFiles
        ? "files"
        : current.length > 0 && bytes + item.object.size > bounds.batchMaxBytes
          ? "bytes"
          : current.length > 0 && chars + itemChars > bounds.batchMaxInputChars
            ? "input_size"
            : undefined;
    if (reason) {
      chunks.push(current);
      reasons.push(reason);
      current = [];
      bytes = 0;
      chars = 0;
    }
    current.push(item);
    bytes += item.object.size;
    chars += itemChars;
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, reasons };
};

/**
 * `planSplit`'s runs alone.
 *
 * @example
 *   splitBatch(objects, { batchMaxFiles: 200, batchMaxBytes: 20e9, batchMaxInputChars: 120000 }).length; // 1
 */
export const splitBatch = <T extends { object: RunInputObject }>(
  items: readonly T[],
  bounds: TriggerDeps["tuning"],
): T[][] => planSplit(items, bounds).chunks;

/**
 * One sentence saying why a window became several runs, naming the settings that change it.
 *
 * @example
 *   explainSplit(["files"], { batchMaxFiles: 200, … }); // "a run takes at most 200 files (BATCH_MAX_FILES)"
 */
export const explainSplit = (reasons: readonly SplitReason[], bounds: TriggerDeps["tuning"]): string => {
  const limit: Record<SplitReason, number> = {
    files: bounds.batchMaxFiles,
    bytes: bounds.batchMaxBytes,
    input_size: bounds.batchMaxInputChars,
  };
  return [...new Set(reasons)]
    .map((reason) => {
      const setting = SPLIT_SETTINGS[reason];
      return `a run takes at most ${limit[reason]} ${setting.what} (${setting.variable})`;
    })
    .join("; ");
};

/**
 * Turns one SQS batch of S3 events into executions: every routable object of the window goes into
 * one run (split only past a bound) named by its objects' keys and ETags. A duplicate delivery
 * finds the execution already there and is a logged no-op. An object no contract accepts is
 * recorded under `quarantine/_unrouted/` and alerted, never dropped. A message whose work failed
 * is reported in `batchItemFailures`, so SQS redelivers only that message.
 *
 * @example
 *   const outcome = await routeBatch(events, [], deps);
 *   outcome.runs; // [{ runId: "run-20170105-…", files: 7, alreadyExisted: false }]
 */
export const routeBatch = async (
  events: readonly S3ObjectEvent[],
  badMessages: readonly { messageId: string; problem: string }[],
  deps: TriggerDeps,
): Promise<TriggerOutcome> => {
  const failed = new Set<string>();
  for (const bad of badMessages) {
    deps.log.error("message is not an S3 event notification; leaving it to SQS (redelivery, then the DLQ)", {
      message_id: bad.messageId,
      problem: bad.problem,
    });
    failed.add(bad.messageId);
  }
  let ignored = 0;
  const latest = new Map<string, S3ObjectEvent>();
  const alsoCarried = new Map<string, Set<string>>();
  for (const event of events) {
    if (!event.eventName.startsWith("ObjectCreated:") || isFolderMarker(event.key)) {
      deps.log.info("ignoring event that does not create a file", {
        key: event.key,
        event_name: event.eventName,
      });
      ignored += 1;
      continue;
    }
    const carriers = alsoCarried.get(event.key) ?? new Set<string>();
    carriers.add(event.messageId);
    alsoCarried.set(event.key, carriers);
    const seen = latest.get(event.key);
    // The same key twice in a window: the later write (by sequencer) is the object S3 now serves.
    if (!seen || compareSequencer(seen.sequencer, event.sequencer) <= 0) latest.set(event.key, event);
  }

  const bundle = await deps.contracts.get();
  const accepted: Accepted[] = [];
  const unroutable: TriggerOutcome["unroutable"] = [];
  for (const event of latest.values()) {
    const messages = alsoCarried.get(event.key) ?? new Set([event.messageId]);
    const routed = classifyKey(event.key, bundle);
    if (!routed.ok) {
      unroutable.push({ key: event.key, reason: routed.reason });
      try {
        await recordUnroutable(event, routed.reason, routed.detail, deps);
      } catch (error) {
        deps.log.error("could not record an unroutable object", { key: event.key, error: String(error) });
        for (const id of messages) failed.add(id);
      }
      continue;
    }
    accepted.push({
      event,
      object: {
        bucket: event.bucket,
        key: event.key,
        etag: event.etag,
        size: event.size,
        ...routedFields(routed),
        uploaded_at: event.eventTime,
        version: objectVersion(event.eventTime, event.sequencer),
        ...(event.versionId ? { version_id: event.versionId } : {}),
      },
    });
  }

  const runs: TriggerOutcome["runs"] = [];
  const split = planSplit(accepted, deps.tuning);
  if (split.reasons.length > 0) {
    deps.log.info("batch window split into several runs", {
      runs: split.chunks.length,
      why: explainSplit(split.reasons, deps.tuning),
    });
  }
  for (const chunk of split.chunks) {
    const objects = chunk.map((item) => item.object);
    const input = runInputFor(objects, deps.now().toISOString(), "s3");
    const runId = input.run_id;
    try {
      const started = await deps.workflow.start(runId, input);
      if (started.alreadyExisted) {
        deps.log.info("execution already exists for this batch: duplicate delivery, nothing to do", {
          run_id: runId,
          files: objects.length,
        });
      } else {
        deps.log.info("started execution", {
          run_id: runId,
          files: objects.length,
          arn: started.executionArn,
        });
      }
      runs.push({ runId, files: objects.length, alreadyExisted: started.alreadyExisted });
    } catch (error) {
      deps.log.error("could not start the execution; its messages go back to the queue", {
        run_id: runId,
        error: String(error),
      });
      for (const item of chunk) for (const id of alsoCarried.get(item.event.key) ?? []) failed.add(id);
    }
  }
  return {
    batchItemFailures: [...failed].sort().map((itemIdentifier) => ({ itemIdentifier })),
    runs,
    splitReasons: split.reasons,
    unroutable,
    ignored,
  };
};

const recordUnroutable = async (
  event: S3ObjectEvent,
  reason: string,
  detail: string,
  deps: Pick<TriggerDeps, "store" | "alerts" | "log" | "now">,
): Promise<void> => {
  const at = deps.now().toISOString();
  const record = {
    bucket: event.bucket,
    key: event.key,
    etag: event.etag,
    size: event.size,
    event_time: event.eventTime,
    reason,
    detail,
    recorded_at: at,
    note: "the object stays in the raw bucket; fix the contract (or the key) and replay it",
  };
  const ref = { bucket: "curated", key: unroutedKey(event.key, event.etag) } as const;
  await writeJson(deps.store, ref, record);
  await deps.alerts.publish({
    kind: "unroutable_object",
    subject: `raw object not routed (${reason}): ${event.key}`.slice(0, 200),
    message: detail,
    at,
    details: { ...record, record_uri: deps.store.uri(ref) },
  });
  deps.log.warn("raw object recorded as unroutable and alerted", { key: event.key, reason });
};
