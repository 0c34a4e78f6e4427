import type { RunRecord } from "../documents/run-record.js";
import { backoffSeconds } from "./load-steps.js";

/**
 * The CloudWatch metrics of one run that RecordRun emits (namespace `SalesPipeline/<stage>`, dimension `service`
 * = record-run) and the dashboard draws (infra/resources/monitoring.yml): rows per step and the load wait.
 */
export const RUN_METRICS = {
  rowsRead: "RowsRead",
  rowsCurated: "RowsCurated",
  rowsQuarantined: "RowsQuarantined",
  rowsLoaded: "RowsLoaded",
  rowsMerged: "RowsMerged",
  loadWaitSeconds: "LoadWaitSeconds",
} as const;

/** CheckQuality's per-source metric (dimension `source`): 1 when the source's verdict is fail, else 0. */
export const SOURCE_QUALITY_METRIC = "SourceQualityFailures";

export interface RunMetricValue {
  readonly name: (typeof RUN_METRICS)[keyof typeof RUN_METRICS];
  readonly unit: "Count" | "Seconds";
  readonly value: number;
}

/**
 * A run record as metric values: the rows Spark read, curated (source rows) and quarantined, the rows auto-copy
 * loaded and the merge wrote, and how long the workflow waited for auto-copy (the Wait states between AwaitLoad
 * polls: polls 1..n-1 each waited `backoffSeconds`). A figure the run never reached is left out, not sent as 0.
 *
 * @example
 *   runMetricValues(record, 30); // [{ name: "RowsRead", unit: "Count", value: 452 }, ...]
 */
export const runMetricValues = (record: RunRecord, maxWaitSeconds: number): RunMetricValue[] => {
  const values: RunMetricValue[] = [];
  const count = (name: RunMetricValue["name"], value: number | null | undefined) => {
    if (typeof value === "number") values.push({ name, unit: "Count", value });
  };
  count(RUN_METRICS.rowsRead, record.rows.read);
  count(RUN_METRICS.rowsCurated, record.rows.curated);
  count(RUN_METRICS.rowsQuarantined, record.rows.quarantined);
  const load = record.steps.load as { rows_loaded?: unknown; attempt?: unknown; done?: unknown } | null;
  if (load && load.done === true) {
    count(RUN_METRICS.rowsLoaded, typeof load.rows_loaded === "number" ? load.rows_loaded : undefined);
    const attempts = typeof load.attempt === "number" ? load.attempt : 0;
    let waited = 0;
    for (let attempt = 1; attempt < attempts; attempt += 1) waited += backoffSeconds(attempt, maxWaitSeconds);
    values.push({ name: RUN_METRICS.loadWaitSeconds, unit: "Seconds", value: waited });
  }
  const merge = record.steps.merge as { rows_by_entity?: Record<string, number> } | null;
  if (merge?.rows_by_entity) {
    count(
      RUN_METRICS.rowsMerged,
      Object.values(merge.rows_by_entity).reduce((sum, rows) => sum + rows, 0),
    );
  }
  return values;
};
