import { Console } from "node:console";
import type { Writable } from "node:stream";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Log } from "../core/deps.js";

/**
 * The one structured logger. Every line of a run carries `run_id` (the `runContext` middleware
 * appends it). In Lambda it writes JSON to stdout (CloudWatch); locally the stage redirects it to
 * a log file so that the CLI's own output stays readable.
 */
export const logger = new Logger({ serviceName: "sales-pipeline" });

/**
 * Sends the logger's output to `stream` instead of stdout (the local stage's log file).
 *
 * @example
 *   redirectLogs(createWriteStream(".local/local/logs/pipeline.log", { flags: "a" }));
 */
export const redirectLogs = (stream: Writable): void => {
  // Powertools writes through a Console it keeps in a field; swapping that Console is the least
  // intrusive way to redirect it (its public options only choose stdout or the global console).
  const target = logger as unknown as { console: Console };
  const console = new Console({ stdout: stream, stderr: stream });
  console.trace = (message?: unknown, ...rest: unknown[]) => console.log(message, ...rest);
  target.console = console;
};

/** The logger as the core's `Log` (the core takes a logger, it does not import Powertools). */
export const log: Log = {
  info: (message, extra) => (extra ? logger.info(message, extra) : logger.info(message)),
  warn: (message, extra) => (extra ? logger.warn(message, extra) : logger.warn(message)),
  error: (message, extra) => (extra ? logger.error(message, extra) : logger.error(message)),
};
