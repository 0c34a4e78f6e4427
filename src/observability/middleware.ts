import type { MiddlewareObj } from "@middy/core";
import { logger } from "./logger.js";

const runIdOf = (event: unknown): string | undefined => {
  if (typeof event !== "object" || event === null) return undefined;
  const record = event as { run_id?: unknown; execution?: { run_id?: unknown } };
  if (typeof record.run_id === "string") return record.run_id;
  if (typeof record.execution?.run_id === "string") return record.execution.run_id;
  return undefined;
};

/**
 * Puts the run id on every log line of an invocation, and logs a failure once with it before the
 * error goes back to the workflow (which decides about retries).
 *
 * @example
 *   export const handler = middy(base).use(injectLambdaContext(logger, { resetKeys: true })).use(runContext());
 */
export const runContext = (): MiddlewareObj => {
  const before: MiddlewareObj["before"] = (request) => {
    const runId = runIdOf(request.event);
    if (runId) logger.appendKeys({ run_id: runId });
  };
  const onError: MiddlewareObj["onError"] = (request) => {
    const error = request.error as Error | undefined;
    logger.error("step failed", { error_name: error?.name, error_message: error?.message });
  };
  return { before, onError };
};
