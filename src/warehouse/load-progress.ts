import type { FileLoadStatus, LoadedFile, LoadHistory, Row } from "../ports/warehouse.js";

/** SYS_COPY_JOB_DETAIL status -> ours. Redshift documents P/I/E/U and also shows the words. */
export const fileLoadStatus = (status: string): FileLoadStatus => {
  const value = status.trim().toUpperCase();
  if (value === "I" || value === "INGESTED") return "loaded";
  if (value === "P" || value === "PENDING") return "pending";
  if (value === "E" || value === "ERROR") return "failed";
  return "unknown";
};

const numberOrNull = (value: unknown): number | null => {
  if (value === null || value === undefined || value === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
};

/** Builds a `LoadHistory` from the rows of `sql/checks/load_history.sql`. */
export const toLoadHistory = (runId: string, rows: readonly Row[]): LoadHistory => {
  const files: LoadedFile[] = rows.map((row) => {
    const key = String(row.file_name);
    return {
      jobName: String(row.job_name),
      entity: key.split("/")[0] ?? "",
      bucket: String(row.bucket),
      key,
      status: fileLoadStatus(String(row.status ?? "")),
      rows: numberOrNull(row.lines_scanned),
      size: numberOrNull(row.file_size),
    };
  });
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.jobName < b.jobName ? -1 : 1));
  return { runId, files };
};

export interface LoadProgress {
  /** Every published file has loaded. */
  readonly complete: boolean;
  readonly loaded: readonly string[];
  /** Seen by a COPY JOB, not loaded yet. */
  readonly pending: readonly string[];
  /** Failed to load: auto-copy skips such a file from now on (republish under a new name). */
  readonly failed: readonly LoadedFile[];
  /** Published but not seen by any COPY JOB yet. */
  readonly missing: readonly string[];
}

/**
 * Compares a run's load history with the keys Publish wrote to the load bucket: the AwaitLoad question.
 *
 * @example
 *   const progress = loadProgress(await warehouse.loadHistory(runId), ["orders/run-1/part-0.parquet"]);
 *   if (progress.complete) ... else if (progress.failed.length) ... else wait and ask again
 */
export const loadProgress = (history: LoadHistory, publishedKeys: readonly string[]): LoadProgress => {
  const byKey = new Map<string, LoadedFile>();
  for (const file of history.files) {
    const seen = byKey.get(file.key);
    // A file seen twice (two jobs, or a retry) counts by its best status.
    const rank = (status: FileLoadStatus) => ["unknown", "pending", "failed", "loaded"].indexOf(status);
    if (!seen || rank(file.status) > rank(seen.status)) byKey.set(file.key, file);
  }
  const loaded: string[] = [];
  const pending: string[] = [];
  const failed: LoadedFile[] = [];
  const missing: string[] = [];
  for (const key of [...publishedKeys].sort()) {
    const file = byKey.get(key);
    if (!file) missing.push(key);
    else if (file.status === "loaded") loaded.push(key);
    else if (file.status === "failed") failed.push(file);
    else pending.push(key);
  }
  return { complete: loaded.length === publishedKeys.length, loaded, pending, failed, missing };
};
