import type { CuratedRow } from "./day-truth.js";

/**
 * The newest row per natural key over every run, held as a slot per key plus the ranking
 * (effective_at, source file, source line) of the row that holds it. Callers keep what they need of
 * that row in their own columns, indexed by slot, so no row object outlives its day.
 */
export class LatestByKey<Key extends string | number> {
  private readonly slots = new Map<Key, number>();
  private readonly effectiveAt: string[] = [];
  /** "" while a reserved slot holds no row yet. */
  private readonly files: string[] = [];
  private readonly lines: number[] = [];
  private held = 0;
  /** The last effective_at seen: consecutive rows mostly share it, so one string serves them all. */
  private lastEffectiveAt = "";

  /** Keys that hold a row. */
  get size(): number {
    return this.held;
  }

  /** The slot of `key`, reserved (holding no row) if the key is new. */
  slotOf(key: Key): number {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.files.length;
      this.slots.set(key, slot);
      this.effectiveAt.push("");
      this.files.push("");
      this.lines.push(0);
    }
    return slot;
  }

  /** The slot of `key` if it holds a row. */
  heldSlot(key: Key): number | undefined {
    const slot = this.slots.get(key);
    return slot !== undefined && this.holds(slot) ? slot : undefined;
  }

  holds(slot: number): boolean {
    return this.files[slot] !== "";
  }

  /** Slots that hold a row, in slot order. */
  *heldSlots(): Generator<number> {
    for (let slot = 0; slot < this.files.length; slot++) if (this.files[slot] !== "") yield slot;
  }

  /**
   * Offers a row for `key`: it takes the slot when the key holds nothing yet or the row is strictly
   * newer than the one held (ties keep the earlier row). Returns the slot it took, or -1.
   */
  offer(key: Key, curated: CuratedRow): number {
    const slot = this.slotOf(key);
    let effectiveAt = curated.row.effective_at as string;
    if (effectiveAt === this.lastEffectiveAt) effectiveAt = this.lastEffectiveAt;
    else this.lastEffectiveAt = effectiveAt;
    if (this.holds(slot)) {
      const heldAt = this.effectiveAt[slot] as string;
      const heldFile = this.files[slot] as string;
      const newer =
        effectiveAt !== heldAt
          ? effectiveAt > heldAt
          : curated.file !== heldFile
            ? curated.file > heldFile
            : curated.line > (this.lines[slot] as number);
      if (!newer) return -1;
    } else {
      this.held++;
    }
    this.effectiveAt[slot] = effectiveAt;
    this.files[slot] = curated.file;
    this.lines[slot] = curated.line;
    return slot;
  }
}
