import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { ENTITIES } from "../../src/contracts/entities.js";
import { quarantineRun } from "../../src/core/quarantine.js";
import { quarantineInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { runContext } from "../../src/observability/middleware.js";

/** QuarantineRun: holds a run's (or failing sources') curated output aside (`$.quarantine`). */
export const handler = middy(async (event: z.infer<typeof quarantineInputSchema>) =>
  // The conformed entities are fixed (ARCHITECTURE section 4): no need to read the contract bundle.
  quarantineRun(event, { ...(await getApp()), entities: ENTITIES.map((entity) => entity.name) }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: quarantineInputSchema }));
