import { z } from "zod";
import { VERSION_TOKEN } from "./versions.js";

/**
 * The input of one execution of the state machine. The trigger (or a replay) builds it; the
 * execution name is `run_id`, and `started_at` is passed in because the local runner's `$$`
 * context is minimal.
 */
export const runInputObjectSchema = z.strictObject({
  bucket: z.string().min(1),
  key: z.string().min(1),
  etag: z.string(),
  size: z.number().int().min(0),
  source: z.string().min(1),
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
  run_id: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[A-Za-z0-9_-]+$/, "a Step Functions execution name: letters, digits, - and _"),
  started_at: z.iso.datetime({ offset: true }),
  trigger: z.enum(["s3", "replay", "schedule"]),
  inputs: z.array(runInputObjectSchema).min(1),
});

export type RunInputObject = z.infer<typeof runInputObjectSchema>;
export type RunInput = z.infer<typeof runInputSchema>;
