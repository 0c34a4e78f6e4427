import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { SqsSchema } from "@aws-lambda-powertools/parser/schemas";
import type { SqsEvent } from "@aws-lambda-powertools/parser/types";
import middy from "@middy/core";
import type { SQSBatchResponse } from "aws-lambda";
import { getApp } from "../../src/app/index.js";
import { parseS3Messages } from "../../src/core/s3-events.js";
import { routeBatch } from "../../src/core/trigger.js";
import { logger } from "../../src/observability/logger.js";

/**
 * Trigger: one SQS batch of S3 ObjectCreated events -> one execution per batch window.
 * Partial failures are reported per message (`ReportBatchItemFailures`).
 */
export const handler = middy(async (event: SqsEvent): Promise<SQSBatchResponse> => {
  const app = await getApp();
  const { events, badMessages, testEvents } = parseS3Messages(event.Records);
  if (testEvents > 0) logger.info("ignored S3 test events", { count: testEvents });
  const outcome = await routeBatch(events, badMessages, { ...app, tuning: app.config.tuning });
  logger.info("batch routed", {
    runs: outcome.runs,
    unroutable: outcome.unroutable.length,
    failed_messages: outcome.batchItemFailures.length,
  });
  return { batchItemFailures: outcome.batchItemFailures };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: SqsSchema }));
