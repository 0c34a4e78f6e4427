import { ValidationError } from "../errors.js";
import type { ObjectInfo, ObjectStore } from "../ports/object-store.js";
import { isDataFile, quarantineRoot } from "./layout.js";

/** What `pipeline quarantine` selects: any mix of a run, a source and a reason; `limit` rows at most. */
export interface QuarantineQuery {
  readonly runId?: string;
  readonly source?: string;
  readonly reason?: string;
  readonly limit: number;
}

/** One data file of row quarantine: `quarantine/<source>/run_id=<id>/part-*.parquet` in the curated bucket. */
export interface QuarantineFile {
  readonly source: string;
  readonly runId: string;
  readonly object: ObjectInfo;
}

/** The row quarantine's reasons (docs/semantics.md, "Quarantine"). */
export const QUARANTINE_REASONS = [
  "malformed_row",
  "missing_required",
  "invalid_type",
  "rule_violation",
  "too_long",
] as const;

const ROW_FILE = /^quarantine\/([a-z][a-z0-9_]*)\/run_id=([^/]+)\/[^/]+$/;

/**
 * The row-quarantine files of the curated bucket that a query can match, sorted by run then source. The held
 * output of stopped runs (`quarantine/_held/`) and the unrouted objects (`quarantine/_unrouted/`) are not rows of
 * a source and are skipped, as Spark skips `_` folders.
 *
 * @example
 *   await quarantineFiles(store, { source: "orders", limit: 20 });
 *   // [{ source: "orders", runId: "run-20170105-…", object: { bucket: "curated", key: "quarantine/orders/run_id=…/part-00000-….parquet", … } }]
 */
export const quarantineFiles = async (
  store: Pick<ObjectStore, "list">,
  query: Pick<QuarantineQuery, "runId" | "source">,
): Promise<QuarantineFile[]> => {
  const prefix = query.source ? `${quarantineRoot}${query.source}/` : quarantineRoot;
  const files: QuarantineFile[] = [];
  for (const object of await store.list("curated", prefix)) {
    const match = ROW_FILE.exec(object.key);
    if (!match || !isDataFile(object.key)) continue;
    const [, source = "", runId = ""] = match;
    if (query.runId && runId !== query.runId) continue;
    files.push({ source, runId, object });
  }
  return files.sort((a, b) =>
    a.runId === b.runId ? a.source.localeCompare(b.source) : a.runId.localeCompare(b.runId),
  );
};

/** A quarantined row as a user reads it: where it came from, why, and its raw values. */
export interface QuarantinedRow {
  readonly run_id: string;
  readonly source: string;
  /** The raw object's key when the file is in the raw bucket, else its URI as the row carries it. */
  readonly file: string;
  readonly line: number | null;
  readonly reason: string;
  readonly reason_column: string | null;
  /** Why, in words (`not a timestamp in the format yyyy-MM-dd HH:mm:ss`); null in Parquet written before it existed. */
  readonly reason_detail: string | null;
  /** The source's own columns as strings, in file order; `_raw_record` too when the row could not be split. */
  readonly values: Readonly<Record<string, string | null>>;
}

/** Lineage and partition columns of a quarantine file: everything else is one of the source's raw values. */
const NOT_RAW = new Set([
  "_reason",
  "_reason_column",
  "_reason_detail",
  "_source_file",
  "_source_line",
  "_run_id",
  "_ingested_at",
  "run_id",
]);

const textOf = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === "string" ? value : String(value);

/**
 * One row of a quarantine Parquet file (as a reader returns it) as a `QuarantinedRow`. Files written before
 * `_reason_detail` existed simply lack it (null). `_raw_record` is kept only when it holds something (a row that
 * could not be split into columns).
 *
 * @example
 *   quarantinedRow({ order_id: "o1", _reason: "invalid_type", _reason_column: "order_purchase_timestamp",
 *     _source_file: "file:///…/raw/orders/dt=2017-01-30/orders.csv", _source_line: 47, … }, file, store)
 */
export const quarantinedRow = (
  row: Readonly<Record<string, unknown>>,
  file: QuarantineFile,
  store: Pick<ObjectStore, "parseUri">,
  /** The file's own columns, in its order (rows read from several files by name carry the others' as null). */
  columns: readonly string[] = Object.keys(row),
): QuarantinedRow => {
  const reason = textOf(row._reason);
  if (!reason) throw new ValidationError(`${file.object.key}: a quarantined row without _reason`);
  const sourceFile = textOf(row._source_file) ?? "";
  let shown = sourceFile;
  try {
    const ref = store.parseUri(sourceFile);
    if (ref.bucket === "raw") shown = ref.key;
  } catch {
    // a URI outside this stage's buckets (e.g. a run recorded in another folder): shown as it is
  }
  const values: Record<string, string | null> = {};
  for (const column of columns) {
    const value = row[column];
    if (NOT_RAW.has(column)) continue;
    if (column === "_raw_record" && (value === null || value === undefined)) continue;
    values[column] = textOf(value);
  }
  const line = row._source_line;
  return {
    run_id: textOf(row._run_id) ?? file.runId,
    source: file.source,
    file: shown,
    line: line === null || line === undefined ? null : Number(line),
    reason,
    reason_column: textOf(row._reason_column),
    reason_detail: textOf(row._reason_detail),
    values,
  };
};
