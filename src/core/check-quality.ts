import { type Metrics, metricsSchema } from "../documents/metrics.js";
import { type QualityHistoryEntry, qualityHistoryEntrySchema } from "../documents/quality-report.js";
import { readJson, writeJson } from "../documents/store.js";
import { SCHEMA_VERSION } from "../documents/version.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { ContractSource, Log } from "./deps.js";
import { qualityHistoryKey, qualityHistoryPrefix, reportKey } from "./layout.js";
import { evaluateRun, gateOf, type QualityGate, type RowCountHistory } from "./quality.js";

export interface CheckQualityInput {
  readonly run_id: string;
  readonly started_at: string;
  readonly metrics_uri: string;
  readonly sources: readonly string[];
}

const HISTORY_DEPTH = 30;

/**
 * Row counts of the most recent earlier runs of each source (by run start time), newest first.
 * Each run leaves one small object per source under `dq/history/<source>/`, keyed by start time.
 */
export const readHistory = async (
  store: ObjectStore,
  sources: readonly string[],
  before: { runId: string; startedAt: string },
): Promise<RowCountHistory> => {
  const history: Record<string, number[]> = {};
  for (const source of sources) {
    const objects = await store.list("curated", qualityHistoryPrefix(source));
    const earlier = objects
      .filter((object) => !object.key.endsWith(`_${before.runId}.json`))
      .slice(-HISTORY_DEPTH * 2)
      .reverse();
    const counts: number[] = [];
    for (const object of earlier) {
      const entry = await readJson(store, object, qualityHistoryEntrySchema);
      if (entry.started_at < before.startedAt) counts.push(entry.rows);
      if (counts.length >= HISTORY_DEPTH) break;
    }
    history[source] = counts;
  }
  return history;
};

/**
 * Evaluates the contract's rules on the run's Spark metrics, stores the report (per run and per
 * source) and the row counts the anomaly rule of later runs compares against, and returns what the
 * Gate needs.
 *
 * @example
 *   const gate = await checkQuality(input, deps);
 *   gate.has_failures; // true when a source failed an error-severity rule
 */
export const checkQuality = async (
  input: CheckQualityInput,
  deps: {
    readonly store: ObjectStore;
    readonly contracts: ContractSource;
    readonly log: Log;
    readonly now: () => Date;
  },
): Promise<QualityGate & { readonly sources: Record<string, string> }> => {
  const bundle = await deps.contracts.get();
  const metrics: Metrics = await readJson(deps.store, deps.store.parseUri(input.metrics_uri), metricsSchema);
  const history = await readHistory(deps.store, input.sources, {
    runId: input.run_id,
    startedAt: input.started_at,
  });
  const report = evaluateRun({
    runId: input.run_id,
    startedAt: input.started_at,
    evaluatedAt: deps.now().toISOString(),
    bundle,
    metrics,
    sources: input.sources,
    history,
  });
  const reportRef = { bucket: "curated", key: reportKey(input.run_id) } as const;
  await writeJson(deps.store, reportRef, { schema_version: SCHEMA_VERSION, ...report });
  for (const source of Object.values(report.sources)) {
    const entry: QualityHistoryEntry = {
      schema_version: SCHEMA_VERSION,
      run_id: input.run_id,
      started_at: input.started_at,
      rows: source.rows_read,
    };
    await writeJson(
      deps.store,
      { bucket: "curated", key: qualityHistoryKey(source.source, input.started_at, input.run_id) },
      entry,
    );
  }
  const gate = gateOf(report, deps.store.uri(reportRef));
  deps.log.info("quality evaluated", {
    run_id: input.run_id,
    verdict: report.verdict,
    failing_sources: gate.failing_sources,
    warning_sources: gate.warning_sources,
  });
  return {
    ...gate,
    sources: Object.fromEntries(
      Object.values(report.sources).map((source) => [source.source, source.verdict]),
    ),
  };
};
