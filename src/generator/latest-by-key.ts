import { Int32Column, TextCodes } from "./columns.js";
import type { CuratedRow } from "./day-truth.js";
import { KeyIndex } from "./key-index.js";
import { TimestampColumn } from "./timestamps.js";

/**
 * The newest row per natural key over every run. Each key gets a slot (a dense number) and the slot
 * holds the ranking (effective_at, source file, source line) of its newest row, in typed columns;
 * callers keep what they need of that row in their own columns, by slot, so no row object outlives
 * its day.
 */
export class LatestByKey {
  private readonly keys = new KeyIndex();
  private readonly effectiveAt = new TimestampColumn();
  /** File code per slot; 0 while the slot holds no row. */
  private readonly files = new Int32Column(0);
  private readonly fileNames = new TextCodes();
  private readonly lines = new Int32Column(0);
  private held = 0;

  /** Keys that hold a row. */
  get size(): number {
    return this.held;
  }

  /** The slot of `key`, reserved (holding no row) if the key is new. */
  slotOf(key: string | number): number {
    return this.keys.add(key);
  }

  holds(slot: number): boolean {
    return this.files.get(slot) !== 0;
  }

  /** Slots that hold a row, in slot order. */
  *heldSlots(): Generator<number> {
    for (let slot = 0; slot < this.keys.size; slot++) if (this.holds(slot)) yield slot;
  }

  /**
   * Offers a row for `key`: it takes the slot when the key holds nothing yet or the row is strictly
   * newer than the one held (ties keep the earlier row). Returns the slot it took, or -1.
   */
  offer(key: string | number, curated: CuratedRow): number {
    const slot = this.keys.add(key);
    const effectiveAt = String(curated.row.effective_at);
    const file = this.fileNames.codeOf(curated.file);
    const heldFile = this.files.get(slot);
    if (heldFile !== 0) {
      const order = this.effectiveAt.compare(effectiveAt, slot);
      const newer =
        order !== 0
          ? order > 0
          : file !== heldFile
            ? curated.file > this.fileNames.textOf(heldFile)
            : curated.line > this.lines.get(slot);
      if (!newer) return -1;
    } else {
      this.held++;
    }
    this.effectiveAt.set(slot, effectiveAt);
    this.files.set(slot, file);
    this.lines.set(slot, curated.line);
    return slot;
  }
}
