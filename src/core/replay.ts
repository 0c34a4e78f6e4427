import type { Tuning } from "../config/index.js";
import { manifestKeysSchema } from "../documents/manifest.js";
import type { RunInputObject } from "../documents/run-input.js";
import { readJson } from "../documents/store.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Workflow } from "../ports/workflow.js";
import type { ContractSource, Log } from "./deps.js";
import { manifestKey } from "./layout.js";
import { classifyKey, routedFields } from "./objects.js";
import { runInputFor } from "./run-id.js";
import { splitBatch } from "./trigger.js";
import { objectVersion } from "./versions.js";

/** What to replay from the raw zone. */
export type ReplaySelection =
  | { readonly kind: "run"; readonly runId: string }
  | { readonly kind: "object"; readonly key: string }
  | {
      readonly kind: "dates";
      readonly from: string;
      readonly to: string;
      readonly sources?: readonly string[];
    };

interface ReplayDeps {
  readonly store: ObjectStore;
  readonly contracts: ContractSource;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The raw objects a replay selection names, as they are in the raw bucket now (current ETag and
 * size): the files of an earlier run (from its manifest), one object, or every object whose
 * `dt=` date is in a range. Their version token is the replay's request time (`requestedAt`, default
 * now): the replay reads each object's current bytes, at least as new as every version put before it
 * was asked, so it wins over those (docs/semantics.md, "Raw zone").
 *
 * @example
 *   await replayObjects({ kind: "dates", from: "2017-01-02", to: "2017-01-04" }, deps);
 */
export const replayObjects = async (
  selection: ReplaySelection,
  deps: ReplayDeps,
  requestedAt: string = new Date().toISOString(),
): Promise<RunInputObject[]> => {
  const version = objectVersion(requestedAt);
  const bundle = await deps.contracts.get();
  let keys: string[];
  if (selection.kind === "run") {
    const ref = { bucket: "curated", key: manifestKey(selection.runId) } as const;
    if (!(await deps.store.head(ref))) throw new NotFoundError(`no manifest for run ${selection.runId}`);
    keys = (await readJson(deps.store, ref, manifestKeysSchema)).inputs.map((input) => input.key);
  } else if (selection.kind === "object") {
    keys = [selection.key];
  } else {
    if (!DATE.test(selection.from) || !DATE.test(selection.to) || selection.from > selection.to) {
      throw new ValidationError(
        `replay dates: need --from <= --to as YYYY-MM-DD, got ${selection.from}..${selection.to}`,
      );
    }
    const sources = selection.sources ?? Object.keys(bundle.sources).sort();
    keys = [];
    for (const source of sources) {
      if (!bundle.sources[source]) throw new ValidationError(`replay: no contract named ${source}`);
      for (const object of await deps.store.list("raw", `${source}/`)) {
        const routed = classifyKey(object.key, bundle);
        if (
          routed.ok &&
          routed.batchDate &&
          routed.batchDate >= selection.from &&
          routed.batchDate <= selection.to
        ) {
          keys.push(object.key);
        }
      }
    }
  }
  const objects: RunInputObject[] = [];
  for (const key of keys) {
    const info = await deps.store.head({ bucket: "raw", key });
    if (!info) throw new NotFoundError(`raw object ${key} is gone; a replay reads the raw zone`);
    const routed = classifyKey(key, bundle);
    if (!routed.ok) throw new ValidationError(`raw object ${key}: ${routed.reason}: ${routed.detail}`);
    objects.push({
      bucket: deps.store.bucketName("raw"),
      key,
      etag: info.etag,
      size: info.size,
      ...routedFields(routed),
      uploaded_at: info.lastModified,
      version,
    });
  }
  if (objects.length === 0) throw new NotFoundError("nothing to replay: the selection names no raw object");
  return objects;
};

/**
 * Starts replay executions for the selected objects: the same workflow, named `replay-…` so a
 * replay is a new execution (and new load file names) while the star schema ends up the same.
 *
 * @example
 *   const runs = await startReplay({ kind: "run", runId }, deps); // ["replay-20170105-…"]
 */
export const startReplay = async (
  selection: ReplaySelection,
  deps: ReplayDeps & {
    readonly workflow: Workflow;
    readonly log: Log;
    readonly now: () => Date;
    readonly tuning: Pick<Tuning, "batchMaxFiles" | "batchMaxBytes" | "batchMaxInputChars">;
  },
): Promise<string[]> => {
  const requestedAt = deps.now().toISOString();
  const objects = await replayObjects(selection, deps, requestedAt);
  const chunks = splitBatch(
    objects.map((object) => ({ object })),
    deps.tuning,
  );
  return startRuns(chunks, { requestedAt, trigger: "replay", logged: { selection } }, deps);
};

/**
 * Starts one execution per chunk of a replay or a scheduled run (run ids salted with the request time) and
 * returns their run ids, logging each with `logged`.
 *
 * @example
 *   await startRuns(plan.chunks, { requestedAt, trigger: "schedule", logged: { since } }, deps);
 */
export const startRuns = async (
  chunks: readonly (readonly { readonly object: RunInputObject }[])[],
  run: { readonly requestedAt: string; readonly trigger: "replay" | "schedule"; readonly logged: object },
  deps: { readonly workflow: Pick<Workflow, "start">; readonly log: Log },
): Promise<string[]> => {
  const runIds: string[] = [];
  for (const chunk of chunks) {
    const input = runInputFor(
      chunk.map((item) => item.object),
      run.requestedAt,
      run.trigger,
    );
    await deps.workflow.start(input.run_id, input);
    deps.log.info(run.trigger === "replay" ? "replay started" : "scheduled run started", {
      run_id: input.run_id,
      files: input.inputs.length,
      ...run.logged,
    });
    runIds.push(input.run_id);
  }
  return runIds;
};
