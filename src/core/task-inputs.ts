import { z } from "zod";
import { executionStateSchema } from "../documents/execution-state.js";
import { runIdSchema } from "../documents/run-id.js";
import { VERSION_TOKEN } from "./versions.js";

/**
 * The inputs the state machine's `Parameters` hand to each Lambda task. Strict at the top level,
 * so that a drift between the ASL and a handler fails loudly (a ParseError the workflow catches).
 */
const runId = runIdSchema;
const caughtError = z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() });

export const checkQualityInputSchema = z.strictObject({
  run_id: runId,
  started_at: z.string().min(1),
  metrics_uri: z.string().min(1),
  sources: z.array(z.string()).min(1),
});

export const quarantineInputSchema = z.strictObject({
  run_id: runId,
  scope: z.enum(["sources", "run"]),
  sources: z.array(z.string()).optional(),
  entities: z.array(z.string()).optional(),
  reason: z.string().min(1),
  error: caughtError.nullable().optional(),
});

export const notifyInputSchema = z.strictObject({
  kind: z.enum(["quality_failed", "run_failed"]),
  run_id: runId,
  quality: z.looseObject({ report_uri: z.string(), failing_sources: z.array(z.string()) }).optional(),
  error: caughtError.optional(),
  topic_arn: z.string().optional(),
});

export const publishInputSchema = z.strictObject({
  run_id: runId,
  entities: z.array(z.string()),
});

export const awaitLoadInputSchema = z.strictObject({
  run_id: runId,
  entities: z.array(z.string()),
  attempt: z.number().int().min(0),
});

/** One raw object of the run (`$.plan.objects`, written by PlanBatch). */
const plannedObject = z.strictObject({
  source_file: z.string().min(1),
  version: z.string().regex(VERSION_TOKEN),
  entities: z.array(z.string()),
});

export const mergeInputSchema = z.strictObject({
  run_id: runId,
  entities: z.array(z.string()),
  objects: z.array(plannedObject),
});

export const verifyLoadInputSchema = z.strictObject({
  run_id: runId,
  entities: z.array(z.string()),
  metrics_uri: z.string().min(1),
});

export const recordRunInputSchema = z.strictObject({
  status: z.enum(["succeeded", "quality_failed", "failed"]),
  /** The whole execution state (`"execution.$": "$"`), checked by its document schema. */
  execution: executionStateSchema,
});
