import { z } from "zod";
import { fileFormatSchema } from "../contracts/schema.js";
import { VERSION_TOKEN } from "../core/versions.js";
import { runIdSchema } from "./run-id.js";
import { schemaVersion } from "./version.js";

/**
 * The input of one execution of the state machine (a document: the trigger, a replay or the schedule writes
 * it, PlanBatch reads it, and it stays in the execution state RecordRun reads). The execution name is
 * `run_id`; `started_at` is passed in because the local runner's `$$` context is minimal. Each object is
 * classified once, by its writer: `source` and `batch_date` are trusted by every later step.
 */
export const runInputObjectSchema = z.strictObject({
  bucket: z.string().min(1),
  key: z.string().min(1),
  etag: z.string(),
  size: z.number().int().min(0),
  source: z.string().min(1),
  /**
   * The file's format and compression as the trigger classified its key (src/contracts/file-formats.ts).
   * Absent in inputs written before the trigger carried them: PlanBatch classifies those keys itself.
   */
  format: fileFormatSchema.optional(),
  compression: z.literal("gzip").nullable().optional(),
  batch_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
  uploaded_at: z.string().min(1),
  /** The object's version token (`objectVersion`): orders the versions of one key; the newest wins. */
  version: z.string().regex(VERSION_TOKEN, "a version token: <15-digit epoch ms>:<32 hex digits or nothing>"),
  version_id: z.string().optional(),
});

export const runInputSchema = z.strictObject({
  schema_version: schemaVersion,
  run_id: runIdSchema,
  started_at: z.iso.datetime({ offset: true }),
  trigger: z.enum(["s3", "replay", "schedule"]),
  inputs: z.array(runInputObjectSchema).min(1),
});

export type RunInputObject = z.infer<typeof runInputObjectSchema>;
export type RunInput = z.infer<typeof runInputSchema>;
