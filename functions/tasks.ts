import type { LambdaHandler } from "../src/adapters/local/local-tasks.js";
import type { AppSource } from "../src/app/app.js";
import type { TaskFunctionName } from "../src/core/asl.js";
import { build as awaitLoad } from "./await-load/handler.js";
import { build as checkQuality } from "./check-quality/handler.js";
import { build as merge } from "./merge/handler.js";
import { build as notify } from "./notify/handler.js";
import { build as planBatch } from "./plan-batch/handler.js";
import { build as publish } from "./publish/handler.js";
import { build as quarantineRun } from "./quarantine-run/handler.js";
import { build as recordRun } from "./record-run/handler.js";
import { build as verifyLoad } from "./verify-load/handler.js";

/**
 * The task registry: every Lambda task of the state machine, by function name, as the factory its
 * `functions/<name>/handler.ts` builds the deployed handler with (`build(lambdaApp)`). The local stage builds
 * the same handlers on its own App (src/app/local.ts), so both run the very code that is deployed.
 */
export const TASK_HANDLERS = {
  "plan-batch": planBatch,
  "check-quality": checkQuality,
  publish,
  "await-load": awaitLoad,
  merge,
  "verify-load": verifyLoad,
  "quarantine-run": quarantineRun,
  notify,
  "record-run": recordRun,
} as const satisfies Readonly<Record<TaskFunctionName, (app: AppSource) => LambdaHandler>>;

/**
 * Every task's handler built on one App.
 *
 * @example
 *   const handlers = taskHandlers(async () => app);
 *   await handlers["plan-batch"](input as never, context as never);
 */
export const taskHandlers = (app: AppSource): Record<TaskFunctionName, LambdaHandler> =>
  Object.fromEntries(
    Object.entries(TASK_HANDLERS).map(([name, build]): [string, LambdaHandler] => [name, build(app)]),
  ) as Record<TaskFunctionName, LambdaHandler>;
