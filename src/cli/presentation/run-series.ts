import type { QualityReport } from "../../core/quality.js";
import type { RunRecord } from "../../documents/run-record.js";
import type { ExecutionSummary, StateVisit } from "../../ports/workflow.js";

/** One run as a point of the monitoring series (the CloudWatch dashboard's widgets, per run). */
export interface RunPoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly status: ExecutionSummary["status"];
  /** The run record's outcome (`succeeded`, `partial`, `quality_failed`, `failed`), if recorded. */
  readonly outcome: string | null;
  readonly failed: boolean;
  readonly seconds: number | null;
  /** Rows per step: Spark read / curated (source rows) / quarantined, auto-copy loaded, merged (entity rows). */
  readonly rows: {
    readonly read: number | null;
    readonly curated: number | null;
    readonly quarantined: number | null;
    readonly loaded: number | null;
    readonly merged: number | null;
  };
  /** Rules that failed, per source (only sources with at least one). */
  readonly dqFailuresBySource: Readonly<Record<string, number>>;
  /** From entering AwaitLoad the first time to leaving it the last time (polls and waits included), seconds. */
  readonly loadSeconds: number | null;
}

/** What a run's point is computed from (a `RunView` has all of it). */
export interface RunSource {
  readonly summary: ExecutionSummary;
  readonly visits: readonly StateVisit[];
  readonly record: RunRecord | undefined;
  readonly report: QualityReport | undefined;
}

const LOAD_STATES = new Set(["StartLoadPolling", "AwaitLoad", "LoadComplete", "WaitForLoad"]);

const numberOr = (value: unknown): number | null => (typeof value === "number" ? value : null);

const loadSeconds = (visits: readonly StateVisit[]): number | null => {
  const load = visits.filter((visit) => LOAD_STATES.has(visit.name));
  const first = load[0];
  const last = load.at(-1);
  if (!first || !last?.exitedAt) return null;
  return (Date.parse(last.exitedAt) - Date.parse(first.enteredAt)) / 1000;
};

/**
 * A run as a point of the monitoring series: status, duration, rows per step, rule failures by source, load
 * latency. The local report draws these over the stage's runs; the deployed dashboard shows the same series from
 * CloudWatch (docs/deploy.md, "Monitoring").
 *
 * @example
 *   runPoints(views).map((point) => point.rows.read); // [452, 431, ...]
 */
export const runPoint = (run: RunSource): RunPoint => {
  const record = run.record;
  const merge = record?.steps.merge as { rows_by_entity?: Record<string, number> } | null | undefined;
  const load = record?.steps.load as { rows_loaded?: number } | null | undefined;
  const dq: Record<string, number> = {};
  for (const source of Object.values(run.report?.sources ?? {})) {
    const failed = source.rules.filter((rule) => rule.status === "fail").length;
    if (failed > 0) dq[source.source] = failed;
  }
  const curated = typeof record?.rows.curated === "number" ? record.rows.curated : null;
  return {
    runId: run.summary.name,
    startedAt: run.summary.startedAt,
    status: run.summary.status,
    outcome: record?.status ?? null,
    failed: run.summary.status !== "SUCCEEDED" && run.summary.status !== "RUNNING",
    seconds: run.summary.stoppedAt
      ? (Date.parse(run.summary.stoppedAt) - Date.parse(run.summary.startedAt)) / 1000
      : null,
    rows: {
      read: record?.rows.read ?? null,
      curated,
      quarantined: record?.rows.quarantined ?? null,
      loaded: numberOr(load?.rows_loaded),
      merged: merge?.rows_by_entity
        ? Object.values(merge.rows_by_entity).reduce((sum, rows) => sum + rows, 0)
        : null,
    },
    dqFailuresBySource: dq,
    loadSeconds: loadSeconds(run.visits),
  };
};

/** The points of several runs, oldest first. */
export const runPoints = (runs: readonly RunSource[]): RunPoint[] =>
  runs.map(runPoint).sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
