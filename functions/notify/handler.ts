import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { notify } from "../../src/core/notify.js";
import { notifyInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { runContext } from "../../src/observability/middleware.js";

/** Notify: one alert for a failed run or a source stopped by the quality gate. */
export const handler = middy(async (event: z.infer<typeof notifyInputSchema>) =>
  notify(event, await getApp()),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: notifyInputSchema }));
