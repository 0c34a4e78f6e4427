import { z } from "zod";
import { fileFormatSchema } from "../contracts/schema.js";
import { VERSION_TOKEN } from "../core/versions.js";
import { runIdSchema } from "./run-id.js";
import { schemaVersion } from "./version.js";

/** One raw object of the run, as PlanBatch resolved it; the Spark job trusts every field. */
export const manifestInputSchema = z.strictObject({
  /** The object's URI: its rows' `_source_file`. */
  uri: z.string().min(1),
  source: z.string().min(1),
  key: z.string().min(1),
  etag: z.string(),
  size: z.number().int().min(0),
  /** How the job reads the file: the trigger's classification of its key, trusted as it is. */
  format: fileFormatSchema,
  compression: z.literal("gzip").nullable(),
  batch_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
  uploaded_at: z.string().min(1),
  /** The object's version token: the newest version of a key wins in the warehouse. */
  version: z.string().regex(VERSION_TOKEN),
});

/**
 * The run manifest (`manifests/<run_id>.json`, docs/interfaces.md): the whole contract between PlanBatch and
 * the Spark job. Exported as JSON Schema for the job (spark/src/pipeline_spark/schemas/manifest.json).
 *
 * @example
 *   const manifest = await readJson(store, store.parseUri(uri), runManifestSchema);
 */
export const runManifestSchema = z.strictObject({
  schema_version: schemaVersion,
  run_id: runIdSchema,
  started_at: z.string().min(1),
  contracts_uri: z.string().min(1),
  bundle_checksum: z.string().min(1),
  inputs: z.array(manifestInputSchema),
  outputs: z.strictObject({
    curated_uri: z.string().min(1),
    quarantine_uri: z.string().min(1),
    metrics_uri: z.string().min(1),
  }),
});

/**
 * The part of a manifest a replay reads (`pipeline replay --run`): its objects' keys. Loose, so that the
 * manifest of a run from any earlier version of the pipeline can be replayed.
 */
export const manifestKeysSchema = z.looseObject({
  inputs: z.array(manifestInputSchema.pick({ key: true }).loose()),
});

export type RunManifest = z.infer<typeof runManifestSchema>;
export type ManifestInput = z.infer<typeof manifestInputSchema>;
