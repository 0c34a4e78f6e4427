import { writeJson } from "../documents/store.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Log } from "./deps.js";
import { curatedPrefix, heldPrefix, loadPrefix } from "./layout.js";

export interface QuarantineInput {
  readonly run_id: string;
  /** `sources`: the gate stopped some sources; `run`: the run failed. */
  readonly scope: "sources" | "run";
  /** Entities whose curated output is held back (scope `sources`); scope `run` holds every entity. */
  readonly entities?: readonly string[];
  readonly sources?: readonly string[];
  readonly reason: string;
  readonly error?: { readonly Error?: string; readonly Cause?: string } | null;
}

export interface QuarantineResult {
  readonly held_uri: string;
  readonly entities: readonly string[];
  readonly files_moved: number;
  readonly files_unpublished: number;
}

const move = async (store: ObjectStore, from: { bucket: "curated"; key: string }, toKey: string) => {
  await store.copy(from, { bucket: "curated", key: toKey });
  await store.delete(from);
};

/**
 * Moves a run's curated output out of the way: to `quarantine/_held/run_id=<id>/<entity>/`, with a
 * `reason.json` beside it. For a failed run it also withdraws the run's files from the load bucket,
 * so that auto-copy does not load what was not yet loaded. The raw files stay: fix, then replay.
 *
 * @example
 *   await quarantineRun({ run_id, scope: "sources", entities: ["payments"], sources: ["payments"],
 *     reason: "quality" }, deps);
 */
export const quarantineRun = async (
  input: QuarantineInput,
  deps: {
    readonly store: ObjectStore;
    readonly log: Log;
    readonly now: () => Date;
    readonly entities: readonly string[];
  },
): Promise<QuarantineResult> => {
  const entities = input.scope === "run" ? deps.entities : (input.entities ?? []);
  const held = heldPrefix(input.run_id);
  let moved = 0;
  let unpublished = 0;
  for (const entity of [...entities].sort()) {
    const prefix = curatedPrefix(entity, input.run_id);
    for (const object of await deps.store.list("curated", prefix)) {
      await move(
        deps.store,
        { bucket: "curated", key: object.key },
        `${held}${entity}/${object.key.slice(prefix.length)}`,
      );
      moved += 1;
    }
    if (input.scope === "run") {
      for (const object of await deps.store.list("load", loadPrefix(entity, input.run_id))) {
        await deps.store.delete(object);
        unpublished += 1;
      }
    }
  }
  await writeJson(
    deps.store,
    { bucket: "curated", key: `${held}reason.json` },
    {
      run_id: input.run_id,
      scope: input.scope,
      reason: input.reason,
      sources: input.sources ?? [],
      entities,
      error: input.error ?? null,
      files_moved: moved,
      files_unpublished: unpublished,
      at: deps.now().toISOString(),
    },
  );
  deps.log.warn("quarantined run output", {
    run_id: input.run_id,
    scope: input.scope,
    entities,
    files_moved: moved,
    files_unpublished: unpublished,
  });
  return {
    held_uri: deps.store.uri({ bucket: "curated", key: held }),
    entities: [...entities].sort(),
    files_moved: moved,
    files_unpublished: unpublished,
  };
};
