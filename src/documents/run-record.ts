import { z } from "zod";
import { qualityGateSchema } from "./execution-state.js";
import { runIdSchema } from "./run-id.js";
import { schemaVersion } from "./version.js";

export const runStatusSchema = z.enum(["succeeded", "partial", "quality_failed", "failed"]);

const count = z.number().int().min(0);
const stepResult = z.record(z.string(), z.unknown()).nullable();

/** One source's rows in a run: read, and where each went (absent when the metrics lack the figure). */
export const sourceBalanceSchema = z.strictObject({
  read: count,
  quarantined: count,
  curated: count.optional(),
  exact_duplicates: count.optional(),
  superseded: count.optional(),
  filtered: count.optional(),
});

/**
 * The run record RecordRun writes (`runs/<run_id>.json`): status, rows per step, the verdict per source, each
 * step's result and the error. Read by `pipeline runs`/`status`, the local report and the truth check.
 */
export const runRecordSchema = z.strictObject({
  schema_version: schemaVersion,
  run_id: runIdSchema,
  status: runStatusSchema,
  started_at: z.string().min(1),
  recorded_at: z.string().min(1),
  trigger: z.string().nullable(),
  files: count,
  sources: z.array(z.string()),
  quality_verdict: z.string().nullable(),
  source_verdicts: z.record(z.string(), z.string()),
  /**
   * Rows per step: what Spark read, quarantined and curated. The balance `read = curated + quarantined +
   * exact_duplicates + superseded + filtered` counts source rows (a row feeding several entities is curated
   * once; `curated_by_entity` has the entity rows). The balance fields are absent in records written before
   * they existed and null when some source's metrics lack them.
   */
  rows: z.strictObject({
    read: count.nullable(),
    quarantined: count.nullable(),
    curated: count.nullable().optional(),
    exact_duplicates: count.nullable().optional(),
    superseded: count.nullable().optional(),
    filtered: count.nullable().optional(),
    quarantined_by_reason: z.record(z.string(), count),
    curated_by_entity: z.record(z.string(), count),
    by_source: z.record(z.string(), sourceBalanceSchema),
  }),
  steps: z.strictObject({
    transform: stepResult,
    quality: qualityGateSchema.nullable(),
    quarantine: stepResult,
    publish: stepResult,
    load: stepResult,
    merge: stepResult,
    verify: stepResult,
  }),
  error: z.strictObject({ error: z.string(), cause: z.string() }).nullable(),
});

export type RunStatus = z.infer<typeof runStatusSchema>;
export type SourceBalance = z.infer<typeof sourceBalanceSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;
