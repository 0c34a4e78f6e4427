import type { ObjectStore } from "../ports/object-store.js";
import type { Warehouse } from "../ports/warehouse.js";
import { readJson, readValidatedJson, writeJson } from "./contract-source.js";
import type { Log } from "./deps.js";
import { runRecordKey } from "./layout.js";
import { type Metrics, metricsSchema } from "./metrics.js";
import { opsRecord, type RecordedReport, recordedReportSchema } from "./ops-record.js";
import { sparkErrorUriOf, sparkFailure, sparkFailureReportSchema } from "./spark-job.js";

export type RunStatus = "succeeded" | "partial" | "quality_failed" | "failed";

/** The execution state as the state machine hands it to RecordRun (`$`): every step's result so far. */
export interface ExecutionState {
  readonly run_id: string;
  readonly started_at: string;
  readonly trigger?: string;
  readonly inputs?: readonly { readonly key: string; readonly source: string; readonly size: number }[];
  readonly plan?: {
    readonly metrics_uri: string;
    readonly sources: readonly string[];
    readonly files: number;
  };
  readonly transform?: Record<string, unknown>;
  readonly quality?: {
    readonly verdict: string;
    readonly report_uri: string;
    readonly has_failures: boolean;
    readonly failing_sources: readonly string[];
    readonly held_entities: readonly string[];
    readonly publishable_entities: readonly string[];
    readonly sources?: Record<string, string>;
  };
  readonly quarantine?: Record<string, unknown>;
  readonly publish?: Record<string, unknown>;
  readonly load?: Record<string, unknown>;
  readonly merge?: Record<string, unknown>;
  readonly verify?: Record<string, unknown>;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** One source's rows in a run: read, and where each went (absent when the metrics lack the figure). */
export interface SourceBalance {
  readonly read: number;
  readonly quarantined: number;
  readonly curated?: number;
  readonly exact_duplicates?: number;
  readonly superseded?: number;
  readonly filtered?: number;
}

/** The balance fields of a run record and the metrics field each is summed from. */
const BALANCE = [
  ["curated", "rows_curated"],
  ["exact_duplicates", "exact_duplicates"],
  ["superseded", "superseded"],
  ["filtered", "rows_filtered"],
] as const;

export interface RunRecord {
  readonly run_id: string;
  readonly status: RunStatus;
  readonly started_at: string;
  readonly recorded_at: string;
  readonly trigger: string | null;
  readonly files: number;
  readonly sources: readonly string[];
  readonly quality_verdict: string | null;
  readonly source_verdicts: Record<string, string>;
  /**
   * Rows per step: what Spark read, quarantined and curated; what was published, loaded, merged. The balance
   * `read = curated + quarantined + exact_duplicates + superseded + filtered` counts source rows (a row feeding
   * several entities is curated once; `curated_by_entity` has the entity rows). The balance fields are absent in
   * records written before they existed and null when some source's metrics lack them.
   */
  readonly rows: {
    readonly read: number | null;
    readonly quarantined: number | null;
    readonly curated?: number | null;
    readonly exact_duplicates?: number | null;
    readonly superseded?: number | null;
    readonly filtered?: number | null;
    readonly quarantined_by_reason: Record<string, number>;
    readonly curated_by_entity: Record<string, number>;
    readonly by_source: Record<string, SourceBalance>;
  };
  readonly steps: {
    readonly transform: Record<string, unknown> | null;
    readonly quality: ExecutionState["quality"] | null;
    readonly quarantine: Record<string, unknown> | null;
    readonly publish: Record<string, unknown> | null;
    readonly load: Record<string, unknown> | null;
    readonly merge: Record<string, unknown> | null;
    readonly verify: Record<string, unknown> | null;
  };
  readonly error: { readonly error: string; readonly cause: string } | null;
}

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
const readReport = async (store: ObjectStore, state: ExecutionState): Promise<RecordedReport | undefined> => {
  const uri = state.quality?.report_uri;
  if (!uri) return undefined;
  const ref = store.parseUri(uri);
  if (!(await store.head(ref))) return undefined;
  return readValidatedJson(store, ref, recordedReportSchema, "quality report");
};

/**
 * The run's error as the workflow caught it; when Transform failed on EMR Serverless (which reports every
 * failed job run as `States.TaskFailed`), the error the job wrote beside its metrics names the exception
 * instead: `Spark.<kind>` and a cause of {errorType, errorMessage, workflowError, workflowCause}.
 */
const runError = async (store: ObjectStore, state: ExecutionState): Promise<RunRecord["error"]> => {
  if (!state.error) return null;
  const caught = { error: state.error.Error ?? "", cause: state.error.Cause ?? "" };
  // Transform failed when the run has a plan but no transform result; a named Spark error needs no help.
  if (state.transform || !state.plan?.metrics_uri || caught.error.startsWith("Spark.")) return caught;
  const ref = store.parseUri(sparkErrorUriOf(state.plan.metrics_uri));
  if (!(await store.head(ref))) return caught;
  const report = sparkFailureReportSchema.safeParse(await readJson<unknown>(store, ref));
  if (!report.success) return caught;
  const failure = sparkFailure(report.data);
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
  let metrics: Metrics | undefined;
  if (state.plan?.metrics_uri) {
    const ref = deps.store.parseUri(state.plan.metrics_uri);
    if (await deps.store.head(ref)) {
      const parsed = metricsSchema.safeParse(await readJson<unknown>(deps.store, ref));
      if (parsed.success) metrics = parsed.data;
    }
  }
  const record: RunRecord = {
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
    error: await runError(deps.store, state),
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
