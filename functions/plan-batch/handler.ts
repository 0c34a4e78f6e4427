import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import { getApp } from "../../src/app/index.js";
import { planBatch } from "../../src/core/plan-batch.js";
import { type RunInput, runInputSchema } from "../../src/documents/run-input.js";
import { logger } from "../../src/observability/logger.js";
import { runContext } from "../../src/observability/middleware.js";

/** PlanBatch: the execution input -> the run manifest (`$.plan`). */
export const handler = middy(async (event: RunInput) => planBatch(event, await getApp()))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: runInputSchema }));
