import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { type ExecutionState, recordRun } from "../../src/core/record-run.js";
import { recordRunInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { runContext } from "../../src/observability/middleware.js";

/** RecordRun: the run record (status, rows per step, verdicts, error) -> `runs/<run_id>.json`. */
export const handler = middy(async (event: z.infer<typeof recordRunInputSchema>) => {
  const record = await recordRun(
    { status: event.status, execution: event.execution as unknown as ExecutionState },
    await getApp(),
  );
  return { status: record.status, record_key: `runs/${record.run_id}.json` };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: recordRunInputSchema }));
