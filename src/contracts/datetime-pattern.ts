import { PipelineError } from "../errors.js";

/**
 * Spark datetime patterns (the `format` of a contract's date and timestamp columns, e.g. `M/d/yyyy H:mm`) read as
 * a list of pieces, for the readers outside Spark that must parse the same values as the Spark job does
 * (`pipeline drop` dating a file by one of its columns). Only the letters and widths that have one meaning when
 * Spark parses are taken; anything else is refused with the reason, never guessed.
 */

/** The pattern letters a reader outside Spark can parse, and what each means. */
export const READABLE_PATTERN_LETTERS = {
  y: "year",
  M: "month",
  L: "month",
  d: "day of the month",
  D: "day of the year",
  H: "hour 0-23",
  h: "hour 1-12 (with a)",
  m: "minute",
  s: "second",
  S: "fraction of a second",
  a: "am/pm",
  X: "zone offset (Z for +00:00)",
  x: "zone offset",
  Z: "zone offset",
} as const;

export type PatternLetter = keyof typeof READABLE_PATTERN_LETTERS;

/** One piece of a pattern: a field (a run of one letter: `yyyy`, `M`) or literal text. */
export type PatternPiece =
  | { readonly kind: "field"; readonly letter: PatternLetter; readonly width: number }
  | { readonly kind: "text"; readonly text: string };

/** The widths each letter takes (`yyy` or `MMMMM` mean something else, or nothing, to Spark's parser). */
const WIDTHS: Readonly<Record<PatternLetter, readonly number[]>> = {
  y: [1, 2, 4],
  M: [1, 2, 3, 4],
  L: [1, 2, 3, 4],
  d: [1, 2],
  D: [1, 2, 3],
  H: [1, 2],
  h: [1, 2],
  m: [1, 2],
  s: [1, 2],
  S: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  a: [1],
  X: [1, 2, 3],
  x: [1, 2, 3],
  Z: [1, 2, 3],
};

const isLetter = (char: string): boolean => /^[A-Za-z]$/.test(char);
const isReadable = (letter: string): letter is PatternLetter => letter in READABLE_PATTERN_LETTERS;
const ZONE_LETTERS: readonly PatternLetter[] = ["X", "x", "Z"];

/** A pattern that cannot be read outside Spark, with the reason (`problem`). */
export class UnreadablePatternError extends PipelineError {
  constructor(
    readonly pattern: string,
    readonly problem: string,
  ) {
    super(`${JSON.stringify(pattern)}: ${problem}`);
  }
}

const readableList = Object.keys(READABLE_PATTERN_LETTERS).join(" ");

/**
 * Splits a Spark datetime pattern into its pieces: runs of one pattern letter, and literal text (quoted with `'`,
 * `''` for a quote, or any character that is not a letter). Throws an `UnreadablePatternError` naming the letter or
 * width a reader outside Spark cannot parse, an optional section (`[...]`), or a pattern that does not give a
 * calendar date (a year, and a month and day or a day of the year).
 *
 * @example
 *   patternPieces("M/d/yyyy H:mm");
 *   // [{ kind: "field", letter: "M", width: 1 }, { kind: "text", text: "/" }, { kind: "field", letter: "d", width: 1 }, …]
 *   patternPieces("EEE, d MMM yyyy"); // throws: "E" (day of the week) is not a letter …
 */
export const patternPieces = (pattern: string): PatternPiece[] => {
  const fail = (problem: string): never => {
    throw new UnreadablePatternError(pattern, problem);
  };
  const pieces: PatternPiece[] = [];
  const text = (value: string): void => {
    const last = pieces.at(-1);
    if (last?.kind === "text") pieces[pieces.length - 1] = { kind: "text", text: last.text + value };
    else pieces.push({ kind: "text", text: value });
  };
  let at = 0;
  while (at < pattern.length) {
    const char = pattern[at] as string;
    if (char === "'") {
      if (pattern[at + 1] === "'") {
        text("'");
        at += 2;
        continue;
      }
      let end = at + 1;
      let quoted = "";
      for (;;) {
        if (end >= pattern.length) fail("a quote (') is never closed");
        if (pattern[end] === "'") {
          if (pattern[end + 1] === "'") {
            quoted += "'";
            end += 2;
            continue;
          }
          break;
        }
        quoted += pattern[end];
        end += 1;
      }
      text(quoted);
      at = end + 1;
      continue;
    }
    if (char === "[" || char === "]") fail("optional sections ([...]) cannot be read outside Spark");
    if (char === "#" || char === "{" || char === "}") fail(`"${char}" is reserved in Spark patterns`);
    if (!isLetter(char)) {
      text(char);
      at += 1;
      continue;
    }
    let end = at;
    while (pattern[end] === char) end += 1;
    const width = end - at;
    if (!isReadable(char)) {
      fail(`"${char}" is not a pattern letter that can be read outside Spark (readable: ${readableList})`);
    }
    const letter = char as PatternLetter;
    if (!WIDTHS[letter].includes(width)) {
      fail(
        `"${char.repeat(width)}": ${READABLE_PATTERN_LETTERS[letter]} is read as ${WIDTHS[letter]
          .map((w) => char.repeat(w))
          .join(", ")}`,
      );
    }
    pieces.push({ kind: "field", letter, width });
    at = end;
  }
  const fields = pieces.flatMap((piece) => (piece.kind === "field" ? [piece] : []));
  const has = (...letters: PatternLetter[]) => fields.some((field) => letters.includes(field.letter));
  const seen = new Set<string>();
  for (const field of fields) {
    const what = READABLE_PATTERN_LETTERS[field.letter];
    if (seen.has(what)) fail(`the ${what} appears more than once`);
    seen.add(what);
  }
  if (fields.filter((field) => ZONE_LETTERS.includes(field.letter)).length > 1) {
    fail("more than one zone offset");
  }
  if (!has("y") || !(has("D") || (has("M", "L") && has("d")))) {
    fail(
      "it does not give a calendar date: it needs a year (y), and a month (M) and day (d) or a day of the year (D)",
    );
  }
  return pieces;
};
