import { type CuratedRow, oldestFirst } from "./day-truth.js";
import type { EntityRow } from "./rows.js";

/** One SCD2 version: from when it holds, and what the caller keeps of its row. */
export interface Version<Kept> {
  readonly validFrom: string;
  readonly kept: Kept;
}

export interface VersionCounts {
  readonly keys: number;
  readonly versions: number;
  readonly keys_with_history: number;
}

const FIRST_VALID_FROM = "1900-01-01 00:00:00";

/**
 * SCD2 versions of one dimension, folded run by run: observations in (effective_at, file, line)
 * order, a new version whenever the attributes change. Keeps per key only the last attributes (as a
 * number) and, if asked, each version's validity and a caller-chosen part of its row.
 *
 * Folding needs every run's observations to be newer than those of earlier runs (the generator's
 * dimension rows take the effective time of the day they are sent on); `add` refuses anything else.
 */
export class Scd2Versions<Kept = null> {
  private readonly slots = new Map<string, number>();
  private readonly attributeIds = new Map<string, number>();
  private readonly lastAttributes: number[] = [];
  private readonly versionCounts: number[] = [];
  private readonly versionLists: Version<Kept>[][] = [];
  private newest: CuratedRow | undefined;
  private versionTotal = 0;
  private withHistory = 0;

  constructor(
    private readonly keyColumn: string,
    private readonly attributes: readonly string[],
    /** What to keep of each version's row; without it, only counts are kept. */
    private readonly keep?: (row: EntityRow) => Kept,
  ) {}

  /** Folds one run's observations (any order). */
  add(observations: readonly CuratedRow[]): void {
    const ordered = [...observations].sort(oldestFirst);
    const first = ordered[0];
    if (first && this.newest && oldestFirst(first, this.newest) < 0)
      throw new Error(`SCD2 ${this.keyColumn}: a run's observations predate an earlier run's`);
    for (const observation of ordered) this.observe(observation);
    this.newest = ordered[ordered.length - 1] ?? this.newest;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** The versions of `key` (only when rows are kept). */
  versionsOf(key: string): readonly Version<Kept>[] | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.versionLists[slot];
  }

  counts(): VersionCounts {
    return { keys: this.slots.size, versions: this.versionTotal, keys_with_history: this.withHistory };
  }

  private observe(observation: CuratedRow): void {
    const { row } = observation;
    const key = String(row[this.keyColumn]);
    const hash = JSON.stringify(this.attributes.map((column) => row[column] ?? null));
    let attributeId = this.attributeIds.get(hash);
    if (attributeId === undefined) {
      attributeId = this.attributeIds.size;
      this.attributeIds.set(hash, attributeId);
    }
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.lastAttributes.length;
      this.slots.set(key, slot);
      this.lastAttributes.push(attributeId);
      this.versionCounts.push(1);
      if (this.keep) this.versionLists.push([{ validFrom: FIRST_VALID_FROM, kept: this.keep(row) }]);
      this.versionTotal++;
      return;
    }
    if (this.lastAttributes[slot] === attributeId) return;
    this.lastAttributes[slot] = attributeId;
    const count = (this.versionCounts[slot] as number) + 1;
    this.versionCounts[slot] = count;
    if (count === 2) this.withHistory++;
    this.versionTotal++;
    if (this.keep)
      this.versionLists[slot]?.push({ validFrom: String(row.effective_at), kept: this.keep(row) });
  }
}

/** The version valid at `at` (validFrom <= at), if any. */
export const versionAt = <Kept>(
  versions: readonly Version<Kept>[] | undefined,
  at: string,
): Version<Kept> | undefined => {
  if (!versions) return undefined;
  let found: Version<Kept> | undefined;
  for (const version of versions) if (version.validFrom <= at) found = version;
  return found;
};
