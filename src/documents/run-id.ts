import { z } from "zod";

/**
 * The one run-id rule: a Step Functions execution name that is also safe as a file name and a SQL literal,
 * a letter or digit, then at most 79 letters, digits, `-` or `_`. Python reads the same pattern from the
 * exported manifest schema (spark/src/pipeline_spark/schemas/manifest.json).
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

/**
 * A run id (= execution name) in a document or a task input.
 *
 * @example
 *   runIdSchema.parse("run-20170105-3f2a9c1e0b7d41aa"); // ok
 */
export const runIdSchema = z
  .string()
  .regex(RUN_ID_PATTERN, "a run id: a letter or digit, then at most 79 letters, digits, '-' or '_'");

/** True when `text` is a valid run id. */
export const isRunId = (text: string): boolean => RUN_ID_PATTERN.test(text);
