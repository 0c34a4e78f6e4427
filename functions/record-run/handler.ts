import type { z } from "zod";
import type { App, AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { recordRun } from "../../src/core/record-run.js";
import { runMetricValues } from "../../src/core/run-metrics.js";
import { recordRunInputSchema } from "../../src/core/task-inputs.js";
import { publishCount, publishValues } from "../../src/observability/metrics.js";

/**
 * RecordRun: the run record (status, rows per step, verdicts, error) -> `runs/<run_id>.json`, then the run's
 * rows of ops.runs and ops.dq_results (best effort: a warehouse failure is reported, never thrown).
 */
const recordRunStep = async (event: z.output<typeof recordRunInputSchema>, app: App) => {
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
};

export const build = (app: AppSource) => lambdaHandler(recordRunInputSchema, recordRunStep, app);

export const handler = build(lambdaApp);
