import { Int32Column } from "./columns.js";
import { type CuratedRow, oldestFirst } from "./day-truth.js";
import { KeyIndex } from "./key-index.js";
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
 * Observations oldest first (a stable sort, as by `oldestFirst`). A run's observations mostly share
 * one effective time and one file (the dimension's file of the day): then line order is that order,
 * and much cheaper to sort by.
 */
const inObservationOrder = (observations: readonly CuratedRow[]): CuratedRow[] => {
  const first = observations[0];
  const oneTimeOneFile =
    first !== undefined &&
    observations.every(
      (observation) =>
        observation.file === first.file && observation.row.effective_at === first.row.effective_at,
    );
  return [...observations].sort(oneTimeOneFile ? (a, b) => a.line - b.line : oldestFirst);
};

/**
 * SCD2 versions of one dimension, folded run by run: observations in (effective_at, file, line)
 * order, a new version whenever the attributes change. Keeps per key (a slot of `keys`) only the
 * last attributes (as a number) and, if asked, each version's validity and a caller-chosen part of
 * its row.
 *
 * Folding needs every run's observations to be newer than those of earlier runs (the generator's
 * dimension rows take the effective time of the day they are sent on); `add` refuses anything else.
 */
export class Scd2Versions<Kept = null> {
  private readonly attributeIds = new Map<string, number>();
  private readonly lastAttributes = new Int32Column(-1);
  /** Versions per slot; 0 for a slot of `keys` this dimension never saw. */
  private readonly versionCounts = new Int32Column(0);
  private readonly firstVersions: Version<Kept>[] = [];
  private readonly laterVersions = new Map<number, Version<Kept>[]>();
  private newest: CuratedRow | undefined;
  private keyTotal = 0;
  private versionTotal = 0;
  private withHistory = 0;

  constructor(
    private readonly keyColumn: string,
    private readonly attributes: readonly string[],
    /** What to keep of each version's row; without it, only counts are kept. */
    private readonly keep?: (row: EntityRow) => Kept,
    /** Slots of the keys (may be shared with other users of the same ids). */
    readonly keys: KeyIndex = new KeyIndex(),
  ) {}

  /** Folds one run's observations (any order). */
  add(observations: readonly CuratedRow[]): void {
    const ordered = inObservationOrder(observations);
    const first = ordered[0];
    if (first && this.newest && oldestFirst(first, this.newest) < 0)
      throw new Error(`SCD2 ${this.keyColumn}: a run's observations predate an earlier run's`);
    for (const observation of ordered) this.observe(observation);
    this.newest = ordered[ordered.length - 1] ?? this.newest;
  }

  /** Whether the key in `slot` has a version. */
  has(slot: number): boolean {
    return slot >= 0 && this.versionCounts.get(slot) > 0;
  }

  /** The version of the key in `slot` valid at `at` (the last with validFrom <= at; only when rows are kept). */
  versionAt(slot: number, at: string): Version<Kept> | undefined {
    if (!this.has(slot)) return undefined;
    const first = this.firstVersions[slot];
    let found = first && first.validFrom <= at ? first : undefined;
    for (const version of this.laterVersions.get(slot) ?? []) if (version.validFrom <= at) found = version;
    return found;
  }

  counts(): VersionCounts {
    return { keys: this.keyTotal, versions: this.versionTotal, keys_with_history: this.withHistory };
  }

  private observe(observation: CuratedRow): void {
    const { row } = observation;
    const slot = this.keys.add(String(row[this.keyColumn]));
    const hash = JSON.stringify(this.attributes.map((column) => row[column] ?? null));
    let attributeId = this.attributeIds.get(hash);
    if (attributeId === undefined) {
      attributeId = this.attributeIds.size;
      this.attributeIds.set(hash, attributeId);
    }
    const count = this.versionCounts.get(slot);
    if (count > 0 && this.lastAttributes.get(slot) === attributeId) return;
    this.lastAttributes.set(slot, attributeId);
    this.versionCounts.set(slot, count + 1);
    this.versionTotal++;
    if (count === 0) this.keyTotal++;
    if (count === 1) this.withHistory++;
    if (!this.keep) return;
    if (count === 0) {
      this.firstVersions[slot] = { validFrom: FIRST_VALID_FROM, kept: this.keep(row) };
      return;
    }
    const later = this.laterVersions.get(slot) ?? [];
    later.push({ validFrom: String(row.effective_at), kept: this.keep(row) });
    this.laterVersions.set(slot, later);
  }
}
