import { ENTITY_DEDUPE_KEY, ENTITY_KEY, type EntityRow, type TruthValue } from "./rows.js";
import type { RawFile } from "./write.js";

/**
 * One day's run over the generated files, by the rules of docs/semantics.md: what each file
 * quarantines, what one run keeps after deduplication, and which sources the quality gate stops.
 */

/** A curated row: the entity row (shared, never copied) and its lineage. */
export interface CuratedRow {
  readonly row: EntityRow;
  readonly file: string;
  readonly line: number;
}

/** The row as the expected-curated files spell it. */
export const curatedRecord = (curated: CuratedRow): Record<string, TruthValue> => ({
  ...curated.row,
  _source_file: curated.file,
  _source_line: curated.line,
});

export interface QuarantinedRow {
  readonly _source_file: string;
  readonly _source_line: number;
  readonly _reason: string;
  readonly _reason_column: string | null;
}

export interface FileTruth {
  readonly source: string;
  readonly batch_date: string;
  readonly format: string;
  readonly gzip: boolean;
  rows_read: number;
  quarantined: Record<string, number>;
  exact_duplicates: number;
  superseded: number;
  curated: Record<string, number>;
}

/** A source stopped at the quality gate for one day's run: its rows never reach the warehouse. */
export interface GatedSource {
  readonly batch_date: string;
  readonly source: string;
  readonly rule: "max_reject_rate";
  readonly rows_read: number;
  readonly rows_quarantined: number;
  readonly threshold: number;
}

export interface DayTruth {
  readonly batchDate: string;
  /** Sources of this day's run that the gate stops (their curated rows are still written by Spark). */
  readonly gated: readonly GatedSource[];
  /** entity -> curated rows of the run over this day, sorted by natural key (unless asked not to). */
  readonly curated: Map<string, CuratedRow[]>;
  /** source -> quarantined rows, in file order. */
  readonly quarantine: Map<string, QuarantinedRow[]>;
}

/** Greatest (effective_at, _source_file, _source_line) first. */
export const newestFirst = (a: CuratedRow, b: CuratedRow): number => {
  const ae = a.row.effective_at as string;
  const be = b.row.effective_at as string;
  if (ae !== be) return ae < be ? 1 : -1;
  if (a.file !== b.file) return a.file < b.file ? 1 : -1;
  return b.line - a.line;
};
export const oldestFirst = (a: CuratedRow, b: CuratedRow): number => newestFirst(b, a);

/** A row's key over `columns` as text (columns joined by \u0001). */
export const keyText = (columns: readonly string[], row: EntityRow): string => {
  let key = String(row[columns[0] as string]);
  for (let index = 1; index < columns.length; index++)
    key += `\u0001${String(row[columns[index] as string])}`;
  return key;
};

const sameEntityValues = (a: EntityRow, b: EntityRow): boolean =>
  a === b || Object.keys(a).every((column) => a[column] === b[column]);

export const bump = (counts: Record<string, number>, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};

export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const newFileTruth = (file: RawFile): FileTruth => ({
  source: file.source,
  batch_date: file.batchDate,
  format: file.format,
  gzip: file.gzip,
  rows_read: file.records.length,
  quarantined: {},
  exact_duplicates: 0,
  superseded: 0,
  curated: {},
});

/** key -> its row, or every row of the key when it occurs more than once (rare: arrays only then). */
type Groups = Map<string, CuratedRow | CuratedRow[]>;

const byNaturalKey = (entity: string, rows: readonly CuratedRow[]): CuratedRow[] => {
  const keyColumns = ENTITY_KEY[entity] as readonly string[];
  const keyed = rows.map((curated) => ({ key: keyText(keyColumns, curated.row), curated }));
  keyed.sort((a, b) => compareText(a.key, b.key));
  return keyed.map((entry) => entry.curated);
};

/**
 * Keeps the newest row of each dedupe key and counts the others; the kept rows come sorted by
 * natural key when `sorted`, else in the order their keys first appeared.
 */
const dedupe = (
  entity: string,
  groups: Groups,
  fileTruths: Map<string, FileTruth>,
  sorted: boolean,
): CuratedRow[] => {
  const kept: CuratedRow[] = [];
  const curatedPerFile = new Map<string, number>();
  for (const entry of groups.values()) {
    const group = Array.isArray(entry) ? entry.sort(newestFirst) : [entry];
    const [winner, ...dropped] = group as [CuratedRow, ...CuratedRow[]];
    kept.push(winner);
    curatedPerFile.set(winner.file, (curatedPerFile.get(winner.file) ?? 0) + 1);
    for (const loser of dropped) {
      const truth = fileTruths.get(loser.file) as FileTruth;
      if (sameEntityValues(loser.row, winner.row)) truth.exact_duplicates += 1;
      else truth.superseded += 1;
    }
  }
  for (const [file, count] of curatedPerFile)
    bump((fileTruths.get(file) as FileTruth).curated, entity, count);
  return sorted ? byNaturalKey(entity, kept) : kept;
};

/** Sources whose share of quarantined rows in this run exceeds their `max_reject_rate` threshold. */
const gatedSources = (
  files: readonly RawFile[],
  fileTruths: Map<string, FileTruth>,
  thresholds: ReadonlyMap<string, number>,
): GatedSource[] => {
  const gated: GatedSource[] = [];
  const bySource = new Map<string, { read: number; quarantined: number }>();
  for (const file of files) {
    const truth = fileTruths.get(file.key) as FileTruth;
    const totals = bySource.get(file.source) ?? { read: 0, quarantined: 0 };
    totals.read += truth.rows_read;
    totals.quarantined += Object.values(truth.quarantined).reduce((sum, count) => sum + count, 0);
    bySource.set(file.source, totals);
  }
  for (const [source, totals] of bySource) {
    const threshold = thresholds.get(source);
    if (threshold !== undefined && totals.read > 0 && totals.quarantined / totals.read > threshold) {
      gated.push({
        batch_date: files[0]?.batchDate ?? "",
        source,
        rule: "max_reject_rate",
        rows_read: totals.read,
        rows_quarantined: totals.quarantined,
        threshold,
      });
    }
  }
  return gated;
};

/**
 * Runs one day's files through the run semantics: quarantine, map, dedupe. Adds each file's
 * truth to `fileTruths` (a file's counts are final once its day has run). Sorting the curated rows
 * (for the expected-row files) can be skipped: nothing else depends on their order.
 */
export const truthOfDay = (
  files: readonly RawFile[],
  fileTruths: Map<string, FileTruth>,
  thresholds: ReadonlyMap<string, number>,
  sortCurated = true,
): DayTruth => {
  const byEntity = new Map<string, Groups>();
  const quarantine = new Map<string, QuarantinedRow[]>();
  for (const file of files) {
    const truth = newFileTruth(file);
    fileTruths.set(file.key, truth);
    for (const { raw, line } of file.records) {
      if (raw.defect || !raw.row) {
        const reason = raw.defect?.reason ?? "malformed_row";
        bump(truth.quarantined, reason);
        let list = quarantine.get(file.source);
        if (!list) {
          list = [];
          quarantine.set(file.source, list);
        }
        list.push({
          _source_file: file.key,
          _source_line: line,
          _reason: reason,
          _reason_column: raw.defect?.column ?? null,
        });
        continue;
      }
      const curated: CuratedRow = { row: raw.row, file: file.key, line };
      let groups = byEntity.get(raw.entity);
      if (!groups) {
        groups = new Map();
        byEntity.set(raw.entity, groups);
      }
      const key = keyText(ENTITY_DEDUPE_KEY[raw.entity] as readonly string[], raw.row);
      const existing = groups.get(key);
      if (existing === undefined) groups.set(key, curated);
      else if (Array.isArray(existing)) existing.push(curated);
      else groups.set(key, [existing, curated]);
    }
  }
  const curated = new Map<string, CuratedRow[]>();
  for (const [entity, groups] of byEntity)
    curated.set(entity, dedupe(entity, groups, fileTruths, sortCurated));
  const gated = gatedSources(files, fileTruths, thresholds);
  return { batchDate: files[0]?.batchDate ?? "", gated, curated, quarantine };
};
