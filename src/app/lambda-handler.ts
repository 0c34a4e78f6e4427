import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { logger } from "../observability/logger.js";
import { runContext } from "../observability/middleware.js";
import type { App, AppSource } from "./app.js";

/**
 * The one middy chain every Lambda uses: Powertools' logger context, then (for a task of the state machine)
 * the run id on every log line and one error line on failure, then the event parsed by its schema (a
 * ParseError names the path). The body gets the parsed event and the App.
 *
 * @example
 *   export const build = (app: AppSource) => lambdaHandler(publishInputSchema, publish, app);
 */
export const lambdaHandler = <Schema extends z.ZodType, Result>(
  schema: Schema,
  body: (event: z.output<Schema>, app: App) => Promise<Result>,
  app: AppSource,
  options: { readonly runContext?: boolean } = {},
) => {
  const handler = middy(async (event: z.output<Schema>) => body(event, await app())).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
  if (options.runContext ?? true) handler.use(runContext());
  return handler.use(parser({ schema }));
};
