import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { recordRun } from "../../src/core/record-run.js";
import { runMetricValues } from "../../src/core/run-metrics.js";
import { recordRunInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { publishCount, publishValues } from "../../src/observability/metrics.js";
import { runContext } from "../../src/observability/middleware.js";

/**
 * RecordRun: the run record (status, rows per step, verdicts, error) -> `runs/<run_id>.json`, then the run's
 * rows of ops.runs and ops.dq_results (best effort: a warehouse failure is reported, never thrown).
 */
export const handler = middy(async (event: z.infer<typeof recordRunInputSchema>) => {
  const app = await getApp();
  const { record, warehouseError } = await recordRun(event, app);
  // One data point per run: 1 when the run is missing from ops.runs / ops.dq_results (alarmed), else 0.
  if (app.config.recordFailureMetric) {
    publishCount(app.config.recordFailureMetric, "record-run", warehouseError ? 1 : 0);
    // The dashboard's rows per step and load wait (src/core/run-metrics.ts).
    publishValues(
      app.config.recordFailureMetric.namespace,
      "record-run",
      runMetricValues(record, app.config.tuning.awaitLoadMaxWaitSeconds),
    );
  }
  return {
    status: record.status,
    record_key: `runs/${record.run_id}.json`,
    in_warehouse: warehouseError === null,
    ...(warehouseError ? { warehouse_error: warehouseError } : {}),
  };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: recordRunInputSchema }));
