import { z } from "zod";
import { schemaVersion } from "./version.js";

/**
 * The metrics JSON the Spark job writes (`metrics/<run_id>.json`, docs/interfaces.md), read by CheckQuality,
 * VerifyLoad and RecordRun. Parsed leniently: extra fields are kept, and only what the Lambdas read is required.
 * Exported as JSON Schema (spark/src/pipeline_spark/schemas/metrics.json): a pytest checks what the job writes.
 */
const count = z.number().int().min(0);

const ruleMetric = z.looseObject({
  rule: z.string(),
  severity: z.enum(["warn", "error"]),
  evaluated: count.optional(),
  failed: count.optional(),
  max_event_time: z.string().nullable().optional(),
});

const fileMetric = z.looseObject({
  uri: z.string(),
  batch_date: z.string().nullable().optional(),
  rows_read: count,
  rows_quarantined: count,
  exact_duplicates: count.optional(),
  superseded: count.optional(),
  rows_curated: count.optional(),
  /** Why the file as a whole could not be read (corrupt gzip, unsupported type), else null. */
  error: z.string().nullable().optional(),
  missing_columns: z.array(z.string()).default([]),
  unexpected_columns: z.array(z.string()).default([]),
});

const entityMetric = z.looseObject({
  rows_fed: count.optional(),
  rows_curated: count,
  exact_duplicates: count.optional(),
  superseded: count.optional(),
  distinct_keys: count.optional(),
});

const sourceMetric = z.looseObject({
  files: z.array(fileMetric),
  rows_read: count,
  rows_quarantined: count,
  /** The source's balance (docs/semantics.md, "Conservation"): a row feeding several entities is curated once. */
  rows_curated: count.optional(),
  exact_duplicates: count.optional(),
  superseded: count.optional(),
  rows_filtered: count.optional(),
  quarantined_by_reason: z.record(z.string(), count).default({}),
  event_time: z
    .looseObject({ min: z.string().nullable().optional(), max: z.string().nullable().optional() })
    .nullable()
    .optional(),
  batch_dates: z.array(z.string()).default([]),
  entities: z.record(z.string(), entityMetric).default({}),
  rules: z.record(z.string(), ruleMetric).default({}),
  conservation: z.looseObject({ holds: z.boolean() }).optional(),
});

export const metricsSchema = z.looseObject({
  schema_version: schemaVersion,
  run_id: z.string(),
  bundle_checksum: z.string().optional(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  seconds: z.number().optional(),
  sources: z.record(z.string(), sourceMetric),
  entities: z
    .record(
      z.string(),
      z.looseObject({
        rows_curated: count,
        sums: z.record(z.string(), z.string().nullable()).default({}),
      }),
    )
    .default({}),
});

export type Metrics = z.infer<typeof metricsSchema>;
export type SourceMetrics = Metrics["sources"][string];
export type RuleMetric = z.infer<typeof ruleMetric>;
