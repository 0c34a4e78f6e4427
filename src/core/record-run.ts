import type { ExecutionState } from "../documents/execution-state.js";
import { type Metrics, metricsSchema } from "../documents/metrics.js";
import { type QualityReportDocument, qualityReportSchema } from "../documents/quality-report.js";
import type { RunRecord, RunStatus, SourceBalance } from "../documents/run-record.js";
import { DocumentError, readJsonIfExists, writeJson } from "../documents/store.js";
import { SCHEMA_VERSION } from "../documents/version.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Warehouse } from "../ports/warehouse.js";
import type { Log } from "./deps.js";
import { runRecordKey } from "./layout.js";
import { opsRecord } from "./ops-record.js";
import {
  type SparkFailureReport,
  sparkErrorUriOf,
  sparkFailure,
  sparkFailureReportSchema,
} from "./spark-job.js";

/** The balance fields of a run record and the metrics field each is summed from. */
const BALANCE = [
  ["curated", "rows_curated"],
  ["exact_duplicates", "exact_duplicates"],
  ["superseded", "superseded"],
  ["filtered", "rows_filtered"],
] as const;

const rowsOf = (metrics: Metrics | undefined): RunRecord["rows"] => {
  if (!metrics) {
    return {
      read: null,
      quarantined: null,
      curated: null,
      exact_duplicates: null,
      superseded: null,
      filtered: null,
      quarantined_by_reason: {},
      curated_by_entity: {},
      by_source: {},
    };
  }
  const byReason: Record<string, number> = {};
  const bySource: Record<string, SourceBalance> = {};
  let read = 0;
  let quarantined = 0;
  const balance: Record<(typeof BALANCE)[number][0], number | null> = {
    curated: 0,
    exact_duplicates: 0,
    superseded: 0,
    filtered: 0,
  };
  for (const [source, m] of Object.entries(metrics.sources)) {
    read += m.rows_read;
    quarantined += m.rows_quarantined;
    const entry: { -readonly [K in keyof SourceBalance]: SourceBalance[K] } = {
      read: m.rows_read,
      quarantined: m.rows_quarantined,
    };
    for (const [field, metric] of BALANCE) {
      const value = m[metric];
      if (value === undefined) {
        balance[field] = null;
        continue;
      }
      entry[field] = value;
      const sum = balance[field];
      if (sum !== null) balance[field] = sum + value;
    }
    bySource[source] = entry;
    for (const [reason, count] of Object.entries(m.quarantined_by_reason)) {
      byReason[reason] = (byReason[reason] ?? 0) + count;
    }
  }
  const curated = Object.fromEntries(
    Object.entries(metrics.entities).map(([entity, m]) => [entity, m.rows_curated]),
  );
  return {
    read,
    quarantined,
    ...balance,
    quarantined_by_reason: byReason,
    curated_by_entity: curated,
    by_source: bySource,
  };
};

/**
 * Decides a run's final status from the state machine's verdict and the quality gate: a run that
 * succeeded while the gate stopped some sources is `partial`.
 */
export const finalStatus = (reported: RunStatus, state: ExecutionState): RunStatus =>
  reported === "succeeded" && state.quality?.has_failures ? "partial" : reported;

export interface RecordRunResult {
  readonly record: RunRecord;
  /** Why the run is missing from ops.runs / ops.dq_results (the S3 record was written), or null. */
  readonly warehouseError: string | null;
}

/**
 * Writes the run's rows of ops.runs and ops.dq_results. Best effort: the run's outcome is already decided and
 * recorded in S3, so a warehouse that is down or slow must not turn a loaded run into a failed one. The error
 * is logged and returned; the record-run handler counts it in a metric that has an alarm.
 */
const recordInWarehouse = async (
  record: RunRecord,
  state: ExecutionState,
  deps: { readonly store: ObjectStore; readonly warehouse: Pick<Warehouse, "recordRun">; readonly log: Log },
  recordUri: string,
): Promise<string | null> => {
  try {
    await deps.warehouse.recordRun(opsRecord(record, await readReport(deps.store, state), recordUri));
    return null;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    deps.log.error("run not recorded in the warehouse (ops.runs, ops.dq_results)", {
      run_id: record.run_id,
      error: reason,
    });
    return reason;
  }
};

/** The run's quality report, when the run got as far as the quality gate. */
const readReport = async (
  store: ObjectStore,
  state: ExecutionState,
): Promise<QualityReportDocument | undefined> => {
  const uri = state.quality?.report_uri;
  return uri ? readJsonIfExists(store, store.parseUri(uri), qualityReportSchema) : undefined;
};

/**
 * The run's error as the workflow caught it; when Transform failed on EMR Serverless (which reports every
 * failed job run as `States.TaskFailed`), the error the job wrote beside its metrics names the exception
 * instead: `Spark.<kind>` and a cause of {errorType, errorMessage, workflowError, workflowCause}.
 */
const runError = async (store: ObjectStore, state: ExecutionState, log: Log): Promise<RunRecord["error"]> => {
  if (!state.error) return null;
  const caught = { error: state.error.Error ?? "", cause: state.error.Cause ?? "" };
  // Transform failed when the run has a plan but no transform result; a named Spark error needs no help.
  if (state.transform || !state.plan?.metrics_uri || caught.error.startsWith("Spark.")) return caught;
  let report: SparkFailureReport | undefined;
  try {
    report = await readJsonIfExists(
      store,
      store.parseUri(sparkErrorUriOf(state.plan.metrics_uri)),
      sparkFailureReportSchema,
    );
  } catch (error) {
    // Only a better name for an error already caught: a report that cannot be read keeps the workflow's.
    if (!(error instanceof DocumentError)) throw error;
    log.warn("Spark error report unreadable; the run keeps the workflow's error", { error: error.message });
  }
  if (!report) return caught;
  const failure = sparkFailure(report);
  return {
    error: failure.name,
    cause: JSON.stringify({
      errorType: failure.name,
      errorMessage: failure.message,
      workflowError: caught.error,
      workflowCause: caught.cause,
    }),
  };
};

/**
 * Writes the run record (`runs/<run_id>.json` in the curated bucket): status, rows per step, the
 * quality verdict per source, each step's result and the error. Then records the run in the warehouse,
 * best effort: its row of `ops.runs` and every rule result of its quality report in `ops.dq_results`
 * (replacing an earlier record of the same run). States visited with their timings come from the
 * workflow's execution history; `pipeline status <run>` shows both together.
 *
 * @example
 *   const { record, warehouseError } = await recordRun({ status: "succeeded", execution: state }, deps);
 */
export const recordRun = async (
  input: { readonly status: RunStatus; readonly execution: ExecutionState },
  deps: {
    readonly store: ObjectStore;
    readonly warehouse: Pick<Warehouse, "recordRun">;
    readonly log: Log;
    readonly now: () => Date;
  },
): Promise<RecordRunResult> => {
  const state = input.execution;
  // Absent when the run failed before Spark wrote them; present and invalid fails loudly (DocumentError).
  const metrics: Metrics | undefined = state.plan?.metrics_uri
    ? await readJsonIfExists(deps.store, deps.store.parseUri(state.plan.metrics_uri), metricsSchema)
    : undefined;
  const record: RunRecord = {
    schema_version: SCHEMA_VERSION,
    run_id: state.run_id,
    status: finalStatus(input.status, state),
    started_at: state.started_at,
    recorded_at: deps.now().toISOString(),
    trigger: state.trigger ?? null,
    files: state.plan?.files ?? state.inputs?.length ?? 0,
    sources: state.plan?.sources ?? [...new Set((state.inputs ?? []).map((i) => i.source))].sort(),
    quality_verdict: state.quality?.verdict ?? null,
    source_verdicts: { ...(state.quality?.sources ?? {}) },
    rows: rowsOf(metrics),
    steps: {
      transform: state.transform ?? null,
      quality: state.quality ?? null,
      quarantine: state.quarantine ?? null,
      publish: state.publish ?? null,
      load: state.load ?? null,
      merge: state.merge ?? null,
      verify: state.verify ?? null,
    },
    error: await runError(deps.store, state, deps.log),
  };
  const recordRef = { bucket: "curated", key: runRecordKey(state.run_id) } as const;
  await writeJson(deps.store, recordRef, record);
  const warehouseError = await recordInWarehouse(record, state, deps, deps.store.uri(recordRef));
  deps.log.info("run recorded", {
    run_id: state.run_id,
    status: record.status,
    in_warehouse: !warehouseError,
  });
  return { record, warehouseError };
};
