import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import {
  type ScheduledRunOutcome,
  scheduledRunEventSchema,
  startScheduledRun,
} from "../../src/core/scheduled-run.js";
import { logger } from "../../src/observability/logger.js";

/**
 * ScheduledRun (EventBridge Scheduler, daily when the stage turns it on): one run for the raw files that arrived
 * since the stage's last run; none when nothing arrived.
 */
export const handler = middy(
  async (event: z.infer<typeof scheduledRunEventSchema>): Promise<ScheduledRunOutcome> => {
    const app = await getApp();
    const outcome = await startScheduledRun({ ...app, tuning: app.config.tuning });
    logger.info("scheduled run", { schedule: event.schedule, ...outcome, skipped: outcome.skipped.length });
    return outcome;
  },
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: scheduledRunEventSchema }));
