import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { mergeRun } from "../../src/core/load-steps.js";
import { mergeInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { runContext } from "../../src/observability/middleware.js";

/** Merge: staging -> core -> star for the run, in one transaction (`$.merge`). */
export const handler = middy(async (event: z.infer<typeof mergeInputSchema>) =>
  mergeRun(event, await getApp()),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: mergeInputSchema }));
