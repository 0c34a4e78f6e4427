import { createHash } from "node:crypto";

/** Object keys of the zones (docs/interfaces.md, "Buckets and keys"). One place, both stages. */
export const BUNDLE_KEY = "contracts/contracts.bundle.json";
export const manifestKey = (runId: string): string => `manifests/${runId}.json`;
export const metricsKey = (runId: string): string => `metrics/${runId}.json`;
export const reportKey = (runId: string): string => `reports/${runId}.json`;
export const runRecordKey = (runId: string): string => `runs/${runId}.json`;
export const curatedRoot = "curated/";
export const quarantineRoot = "quarantine/";
export const curatedPrefix = (entity: string, runId: string): string => `curated/${entity}/run_id=${runId}/`;
export const loadPrefix = (entity: string, runId: string): string => `${entity}/${runId}/`;
/**
 * Where a run's curated output goes when its batch is stopped (a failing source, a failed run).
 * `_held` cannot clash with a source name (those start with a letter), and readers of
 * `quarantine/<source>/` that skip `_`-folders, as Spark does, never mix it with row quarantine.
 */
export const heldPrefix = (runId: string): string => `quarantine/_held/run_id=${runId}/`;
/** A record of a raw object that no contract accepts (it stays in the raw bucket for replay). */
export const unroutedKey = (key: string, etag: string): string =>
  `quarantine/_unrouted/${createHash("sha256").update(`${key}\u0000${etag}`).digest("hex").slice(0, 24)}.json`;
export const qualityHistoryPrefix = (source: string): string => `dq/history/${source}/`;
export const qualityHistoryKey = (source: string, startedAt: string, runId: string): string =>
  `${qualityHistoryPrefix(source)}${startedAt.replace(/[:.]/g, "")}_${runId}.json`;

/** Spark's data files; markers (`_SUCCESS`), checksums (`.crc`) and anything else never reach the load bucket. */
export const isDataFile = (key: string): boolean => /(^|\/)part-[^/]*\.parquet$/.test(key);
