import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { publish } from "../../src/core/publish.js";
import { publishInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { runContext } from "../../src/observability/middleware.js";

/** Publish: the passing entities' curated data files -> the load bucket (`$.publish`). */
export const handler = middy(async (event: z.infer<typeof publishInputSchema>) =>
  publish(event, await getApp()),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: publishInputSchema }));
