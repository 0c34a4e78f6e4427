import type { ObjectStore } from "../ports/object-store.js";
import type { Log } from "./deps.js";
import { curatedPrefix, isDataFile, loadPrefix } from "./layout.js";

export interface PublishInput {
  readonly run_id: string;
  readonly entities: readonly string[];
}

export interface Published {
  readonly entities: readonly string[];
  readonly files: number;
  readonly bytes: number;
  readonly by_entity: Record<string, { readonly files: number; readonly bytes: number }>;
}

/**
 * Copies the run's curated data files of the entities that passed the gate into the load bucket
 * (`<entity>/<run_id>/<file>`), the auto-copy source. Only Spark's `part-*.parquet` files go:
 * a marker or checksum there would be loaded, or fail to load. Copying again is harmless: auto-copy
 * loads a file name once.
 *
 * @example
 *   await publish({ run_id, entities: ["orders", "payments"] }, deps); // { files: 2, … }
 */
export const publish = async (
  input: PublishInput,
  deps: { readonly store: ObjectStore; readonly log: Log },
): Promise<Published> => {
  const byEntity: Record<string, { files: number; bytes: number }> = {};
  let files = 0;
  let bytes = 0;
  for (const entity of [...input.entities].sort()) {
    const prefix = curatedPrefix(entity, input.run_id);
    const objects = (await deps.store.list("curated", prefix)).filter((object) => isDataFile(object.key));
    for (const object of objects) {
      const name = object.key.slice(prefix.length).replaceAll("/", "_");
      await deps.store.copy(object, { bucket: "load", key: `${loadPrefix(entity, input.run_id)}${name}` });
    }
    const entityBytes = objects.reduce((sum, object) => sum + object.size, 0);
    byEntity[entity] = { files: objects.length, bytes: entityBytes };
    files += objects.length;
    bytes += entityBytes;
  }
  deps.log.info("published curated files to the load bucket", { run_id: input.run_id, files, bytes });
  return { entities: [...input.entities].sort(), files, bytes, by_entity: byEntity };
};
