import { SqsSchema } from "@aws-lambda-powertools/parser/schemas";
import type { SQSBatchResponse } from "aws-lambda";
import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { parseS3Messages } from "../../src/core/s3-events.js";
import { routeBatch } from "../../src/core/trigger.js";
import { logger } from "../../src/observability/logger.js";

/**
 * Trigger: one SQS batch of S3 ObjectCreated events -> one execution per batch window.
 * Partial failures are reported per message (`ReportBatchItemFailures`).
 */
export const build = (app: AppSource) =>
  lambdaHandler(
    SqsSchema,
    async (event, app): Promise<SQSBatchResponse> => {
      const { events, badMessages, testEvents } = parseS3Messages(event.Records);
      if (testEvents > 0) logger.info("ignored S3 test events", { count: testEvents });
      const outcome = await routeBatch(events, badMessages, { ...app, tuning: app.config.tuning });
      logger.info("batch routed", {
        runs: outcome.runs,
        unroutable: outcome.unroutable.length,
        failed_messages: outcome.batchItemFailures.length,
      });
      return { batchItemFailures: outcome.batchItemFailures };
    },
    app,
    { runContext: false },
  );

export const handler = build(lambdaApp);
