import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { verifyLoad } from "../../src/core/load-steps.js";
import { verifyLoadInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { runContext } from "../../src/observability/middleware.js";

/** VerifyLoad: the warehouse's post-load checks against the run's metrics (`$.verify`). */
export const handler = middy(async (event: z.infer<typeof verifyLoadInputSchema>) =>
  verifyLoad(event, await getApp()),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: verifyLoadInputSchema }));
