import { Float64Column } from "./columns.js";
import { formatTimestamp } from "./rows.js";

const digitsOf = (text: string, from: number, to: number): number => {
  let value = 0;
  for (let index = from; index < to; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
};

/**
 * Epoch milliseconds of a canonical `YYYY-MM-DD HH:MM:SS` (UTC, year 1000 or later, a real date),
 * exactly what `formatTimestamp` turns back into the same text; NaN for anything else. Canonical
 * texts compare like their numbers.
 */
export const canonicalTimestampMs = (text: string): number => {
  if (
    text.length !== 19 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 32 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  )
    return Number.NaN;
  const year = digitsOf(text, 0, 4);
  const month = digitsOf(text, 5, 7);
  const day = digitsOf(text, 8, 10);
  const hour = digitsOf(text, 11, 13);
  const minute = digitsOf(text, 14, 16);
  const second = digitsOf(text, 17, 19);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return Number.NaN;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (day > 28 && new Date(ms).getUTCDate() !== day) return Number.NaN;
  return ms;
};

/**
 * Timestamp texts per slot, held as 8-byte numbers when canonical (texts that are not are kept as
 * they are). Consecutive equal texts are parsed once.
 */
export class TimestampColumn {
  private readonly ms = new Float64Column(Number.NaN);
  private readonly others = new Map<number, string>();
  private lastText = "";
  private lastMs = Number.NaN;

  /** The number of `text` (NaN if not canonical); the last text's number is remembered. */
  private msOf(text: string): number {
    if (text !== this.lastText) {
      this.lastText = text;
      this.lastMs = canonicalTimestampMs(text);
    }
    return this.lastMs;
  }

  set(slot: number, text: string): void {
    const ms = this.msOf(text);
    this.ms.set(slot, ms);
    if (Number.isNaN(ms)) this.others.set(slot, text);
    else if (this.others.size > 0) this.others.delete(slot);
  }

  text(slot: number): string {
    const ms = this.ms.get(slot);
    return Number.isNaN(ms) ? (this.others.get(slot) ?? "") : formatTimestamp(ms);
  }

  /** -1, 0 or 1 as `text` sorts before, with or after the text at `slot` (text order, as the truth compares). */
  compare(text: string, slot: number): number {
    const ms = this.msOf(text);
    const held = this.ms.get(slot);
    if (!Number.isNaN(ms) && !Number.isNaN(held)) return ms < held ? -1 : ms > held ? 1 : 0;
    const heldText = this.text(slot);
    return text < heldText ? -1 : text > heldText ? 1 : 0;
  }
}
