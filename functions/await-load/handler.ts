import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { awaitLoad } from "../../src/core/load-steps.js";
import { awaitLoadInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { runContext } from "../../src/observability/middleware.js";

/** AwaitLoad: has auto-copy loaded every published file? (`$.load`, polled by a Wait loop) */
export const handler = middy(async (event: z.infer<typeof awaitLoadInputSchema>) => {
  const app = await getApp();
  return awaitLoad(event, { ...app, maxWaitSeconds: app.config.tuning.awaitLoadMaxWaitSeconds });
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: awaitLoadInputSchema }));
