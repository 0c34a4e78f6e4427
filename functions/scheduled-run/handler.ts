import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
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
export const build = (app: AppSource) =>
  lambdaHandler(
    scheduledRunEventSchema,
    async (event, app): Promise<ScheduledRunOutcome> => {
      const outcome = await startScheduledRun({ ...app, tuning: app.config.tuning });
      logger.info("scheduled run", { schedule: event.schedule, ...outcome, skipped: outcome.skipped.length });
      return outcome;
    },
    app,
    { runContext: false },
  );

export const handler = build(lambdaApp);
