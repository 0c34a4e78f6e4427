import { ValidationError } from "../errors.js";

/** Digits of the epoch-millisecond part of a version token (epoch ms has 13 digits until the year 2286). */
const MS_WIDTH = 15;
/** Characters of the sequencer part: S3 sequencers are hex strings of varying length, compared right-aligned. */
const SEQUENCER_WIDTH = 32;

/** A version token: `<15-digit epoch ms>:<sequencer, 32 upper-case hex digits or empty>`. */
export const VERSION_TOKEN = /^\d{15}:([0-9A-F]{32})?$/;

/**
 * The version token of one PUT of a raw object, sortable as text: later uploads sort later, and two uploads in the
 * same millisecond sort by S3's `sequencer` (which grows with every write of a key). The identity of a raw file is
 * its key; the token orders its versions (docs/semantics.md, "Raw zone").
 *
 * @example
 *   objectVersion("2026-12-06T21:15:35.123Z", "0055AED6DCD90281E5");
 *   // "001796591735123:000000000000000055AED6DCD90281E5" (15 digits, ':', 32 hex digits)
 *   objectVersion("2026-12-06T21:15:35.123Z"); // "001796591735123:" (a replay: no sequencer)
 */
export const objectVersion = (uploadedAt: string, sequencer = ""): string => {
  const ms = Date.parse(uploadedAt);
  if (!Number.isFinite(ms) || ms < 0)
    throw new ValidationError(`not an upload time: ${JSON.stringify(uploadedAt)}`);
  const hex = sequencer.toUpperCase();
  if (!/^[0-9A-F]*$/.test(hex) || hex.length > SEQUENCER_WIDTH) {
    throw new ValidationError(`not an S3 sequencer (hex, at most ${SEQUENCER_WIDTH} digits): ${sequencer}`);
  }
  const time = String(ms).padStart(MS_WIDTH, "0");
  return `${time}:${hex === "" ? "" : hex.padStart(SEQUENCER_WIDTH, "0")}`;
};
