import { qualityReportSchema } from "../documents/quality-report.js";
import type { RunRecord } from "../documents/run-record.js";
import { runRecordSchema } from "../documents/run-record.js";
import { readJsonIfExists } from "../documents/store.js";
import type { Alert } from "../ports/alerts.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { ExecutionSummary, StateVisit, Workflow } from "../ports/workflow.js";
import { reportKey, runRecordKey } from "./layout.js";
import type { QualityReport } from "./quality.js";

/** Everything known about one run: the execution, its states, its record, its quality report. */
export interface RunView {
  readonly summary: ExecutionSummary;
  readonly visits: readonly StateVisit[];
  readonly record: RunRecord | undefined;
  readonly report: QualityReport | undefined;
  readonly alerts: readonly Alert[];
}

/**
 * Gathers a run's view from the workflow (execution and history) and the curated bucket (run
 * record, quality report): the same in both stages.
 *
 * @example
 *   const view = await viewRun(app, "run-20170105-…");
 */
export const viewRun = async (
  deps: {
    readonly workflow: Pick<Workflow, "describe" | "history">;
    readonly store: ObjectStore;
    readonly alertsOf?: (runId: string) => Promise<Alert[]>;
  },
  runId: string,
): Promise<RunView | undefined> => {
  const summary = await deps.workflow.describe(runId);
  if (!summary) return undefined;
  return {
    summary,
    visits: await deps.workflow.history(runId),
    record: await readJsonIfExists(
      deps.store,
      { bucket: "curated", key: runRecordKey(runId) },
      runRecordSchema,
    ),
    report: await readJsonIfExists(
      deps.store,
      { bucket: "curated", key: reportKey(runId) },
      qualityReportSchema,
    ),
    alerts: deps.alertsOf ? await deps.alertsOf(runId) : [],
  };
};

/** Seconds per state name over several runs (sum, count, max): where the time goes. */
export const timePerState = (
  histories: readonly (readonly StateVisit[])[],
): { state: string; visits: number; seconds: number; max: number }[] => {
  const totals = new Map<string, { visits: number; seconds: number; max: number }>();
  for (const visits of histories) {
    for (const visit of visits) {
      const entry = totals.get(visit.name) ?? { visits: 0, seconds: 0, max: 0 };
      entry.visits += 1;
      entry.seconds += visit.seconds ?? 0;
      entry.max = Math.max(entry.max, visit.seconds ?? 0);
      totals.set(visit.name, entry);
    }
  }
  return [...totals].map(([state, t]) => ({ state, ...t, seconds: Math.round(t.seconds * 100) / 100 }));
};
