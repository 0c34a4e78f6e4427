import { TransientError } from "../../errors.js";

const TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalError",
  "InternalServerError",
  "InternalServerException",
  "ServiceQuotaExceededException",
  "TimeoutError",
  "RequestTimeout",
]);

interface AwsErrorShape {
  name?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Turns an AWS SDK error that may pass on a later attempt (throttling, 5xx, capacity) into a
 * `TransientError`, which the state machine retries with backoff; returns any other error as is.
 *
 * @example
 *   try { await client.send(command); } catch (error) { throw asTransient(error, "S3 PutObject"); }
 */
export const asTransient = (error: unknown, what: string): unknown => {
  const shape = (error ?? {}) as AwsErrorShape;
  const status = shape.$metadata?.httpStatusCode ?? 0;
  if (shape.$retryable || TRANSIENT_NAMES.has(shape.name ?? "") || status >= 500 || status === 429) {
    return new TransientError(`${what}: ${shape.name ?? "error"}: ${shape.message ?? ""}`.trim(), {
      cause: error,
    });
  }
  return error;
};
