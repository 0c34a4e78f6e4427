import { z } from "zod";
import { runIdSchema } from "./run-id.js";
import { schemaVersion } from "./version.js";

/**
 * The quality report CheckQuality writes (`reports/<run_id>.json`, src/core/quality.ts builds it): read by
 * Notify, RecordRun (its rule results go to ops.dq_results) and the CLI. Lenient inside a rule result (extra
 * fields kept), strict about what the readers use.
 */
const verdict = z.enum(["pass", "warn", "fail"]);

export const ruleResultSchema = z.looseObject({
  name: z.string().min(1),
  rule: z.string().min(1),
  severity: z.enum(["warn", "error"]),
  observed: z.number().nullable(),
  threshold: z.number().nullable(),
  status: z.enum(["pass", "warn", "fail", "quarantined", "skipped"]),
  detail: z.string(),
  evaluated: z.number().optional(),
  failed: z.number().optional(),
});

export const qualityReportSchema = z.looseObject({
  schema_version: schemaVersion,
  run_id: runIdSchema,
  evaluated_at: z.string().min(1),
  bundle_checksum: z.string(),
  verdict,
  sources: z.record(
    z.string(),
    z.looseObject({
      source: z.string().min(1),
      verdict,
      rows_read: z.number().int().min(0),
      rows_quarantined: z.number().int().min(0),
      quarantined_by_reason: z.record(z.string(), z.number()),
      rules: z.array(ruleResultSchema),
    }),
  ),
  entities: z.record(
    z.string(),
    z.looseObject({ publishable: z.boolean(), sources: z.array(z.string()), held_by: z.array(z.string()) }),
  ),
});

/**
 * The row count one run left for one source (`dq/history/<source>/<started_at>_<run_id>.json`): what the
 * anomaly rule of later runs compares against.
 */
export const qualityHistoryEntrySchema = z.strictObject({
  schema_version: schemaVersion,
  run_id: runIdSchema,
  started_at: z.string().min(1),
  rows: z.number().int().min(0),
});

export type QualityHistoryEntry = z.infer<typeof qualityHistoryEntrySchema>;
export type QualityReportDocument = z.infer<typeof qualityReportSchema>;
