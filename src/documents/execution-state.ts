import { z } from "zod";
import { runIdSchema } from "./run-id.js";
import { runInputObjectSchema } from "./run-input.js";
import { schemaVersion } from "./version.js";

/** A step's result as the state machine keeps it (`$.transform`, `$.load`, ...): its fields vary by stage. */
const stepResult = z.record(z.string(), z.unknown());

/** What `$.quality` holds: CheckQuality's gate (src/core/quality.ts, `gateOf`) and each source's verdict. */
export const qualityGateSchema = z.looseObject({
  verdict: z.string(),
  report_uri: z.string(),
  has_failures: z.boolean(),
  failing_sources: z.array(z.string()),
  held_entities: z.array(z.string()),
  publishable_entities: z.array(z.string()),
  sources: z.record(z.string(), z.string()).optional(),
});

/**
 * The execution state the state machine hands RecordRun (`"execution.$": "$"`): the run input and every step's
 * result so far (`$.plan`, `$.quality`, ...) and, on a failure path, the caught error (`$.error`). Loose: the
 * state carries more than RecordRun reads (the run input's objects, other steps' errors).
 */
export const executionStateSchema = z.looseObject({
  schema_version: schemaVersion,
  run_id: runIdSchema,
  started_at: z.string().min(1),
  trigger: z.string().optional(),
  inputs: z.array(runInputObjectSchema.pick({ key: true, source: true, size: true }).loose()).optional(),
  plan: z
    .looseObject({
      metrics_uri: z.string().min(1),
      sources: z.array(z.string()),
      files: z.number().int().min(0),
    })
    .optional(),
  transform: stepResult.optional(),
  quality: qualityGateSchema.optional(),
  quarantine: stepResult.optional(),
  publish: stepResult.optional(),
  load: stepResult.optional(),
  merge: stepResult.optional(),
  verify: stepResult.optional(),
  error: z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

export type ExecutionState = z.infer<typeof executionStateSchema>;
export type QualityGateState = z.infer<typeof qualityGateSchema>;
