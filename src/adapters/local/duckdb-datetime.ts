import { type PatternPiece, patternPieces } from "../../contracts/datetime-pattern.js";

/**
 * DuckDB SQL that reads a date or timestamp text the way the Spark job reads it (the contract's column type and
 * Spark datetime pattern), as a DATE: the day it falls on in UTC (the job's session time zone), or NULL when Spark
 * would not parse it. The shape is checked by a regular expression built from the pattern (widths, literal text,
 * no surrounding spaces: what Spark's strict parser demands), then the captured fields are handed to `strptime`
 * in a fixed layout (`2010|12|1|8|26`), so DuckDB's own looser parsing never decides.
 * The connection must run with `SET TimeZone = 'UTC'`.
 */

const sqlText = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const regexText = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");

interface FieldSql {
  /** The regular expression of the field, one capture group. */
  readonly regex: string;
  /** How the captured text `g` goes into the fixed layout, and its strptime specifier; null: not needed for a date. */
  readonly layout: { readonly value: (g: string) => string; readonly specifier: string } | null;
}

const digits = (width: number, widest: number): string =>
  width === 1 ? `(\\d{1,${widest}})` : `(\\d{${width}})`;
const as = (specifier: string) => ({ value: (g: string) => g, specifier });

const ZONE: Record<"X" | "x" | "Z", readonly string[]> = {
  X: ["(Z|[+-]\\d{2}(?:\\d{2})?)", "(Z|[+-]\\d{4})", "(Z|[+-]\\d{2}:\\d{2})"],
  x: ["([+-]\\d{2}(?:\\d{2})?)", "([+-]\\d{4})", "([+-]\\d{2}:\\d{2})"],
  Z: ["([+-]\\d{4})", "([+-]\\d{4})", "([+-]\\d{4})"],
};

const fieldSql = (piece: Extract<PatternPiece, { kind: "field" }>): FieldSql => {
  const { letter, width } = piece;
  switch (letter) {
    case "y":
      // yy: Spark reads a two-digit year as 2000-2099 (strptime's %y would put 69-99 in the 1900s).
      if (width === 2)
        return { regex: "(\\d{2})", layout: { value: (g) => `'20' || ${g}`, specifier: "%Y" } };
      return { regex: width === 4 ? "(\\d{4})" : "(\\d{1,4})", layout: as("%Y") };
    case "M":
    case "L":
      if (width === 3) return { regex: "([A-Za-z]{3})", layout: as("%b") };
      if (width === 4) return { regex: "([A-Za-z]{3,9})", layout: as("%B") };
      return { regex: digits(width, 2), layout: as("%m") };
    case "d":
      return { regex: digits(width, 2), layout: as("%d") };
    case "D":
      return { regex: width === 2 ? "(\\d{2,3})" : digits(width, 3), layout: as("%j") };
    case "H":
      return { regex: digits(width, 2), layout: as("%H") };
    case "h":
      return { regex: digits(width, 2), layout: as("%I") };
    case "m":
      return { regex: digits(width, 2), layout: as("%M") };
    case "s":
      return { regex: digits(width, 2), layout: as("%S") };
    case "S":
      // A fraction of a second cannot move the day.
      return { regex: `(\\d{1,${width}})`, layout: null };
    case "a":
      return { regex: "([AaPp][Mm])", layout: as("%p") };
    case "X":
    case "x":
    case "Z":
      return {
        regex: ZONE[letter][width - 1] as string,
        layout: { value: (g) => `CASE WHEN ${g} = 'Z' THEN '+00:00' ELSE ${g} END`, specifier: "%z" },
      };
  }
};

/**
 * The SQL DATE of a text value under a Spark datetime pattern, NULL where Spark would not parse it.
 * Throws an `UnreadablePatternError` for a pattern that cannot be read outside Spark (contract validation refuses
 * such a pattern for a `batch_date` column first).
 *
 * @example
 *   dateOfPatternSql("value", "M/d/yyyy H:mm");
 *   // CASE WHEN regexp_full_match(value, '…') THEN CAST(try_strptime(concat_ws('|', regexp_extract(value, '…', 3), …), '%Y|%m|…') AS DATE) END
 */
export const dateOfPatternSql = (value: string, pattern: string): string => {
  const regexParts: string[] = [];
  const fields: { readonly group: number; readonly layout: NonNullable<FieldSql["layout"]> }[] = [];
  let group = 0;
  for (const piece of patternPieces(pattern)) {
    if (piece.kind === "text") {
      regexParts.push(regexText(piece.text));
      continue;
    }
    const field = fieldSql(piece);
    regexParts.push(field.regex);
    group += 1; // every field's regex has exactly one capture group
    if (field.layout) fields.push({ group, layout: field.layout });
  }
  const regex = sqlText(`^${regexParts.join("")}$`);
  const parts = fields.map(({ group, layout }) =>
    layout.value(`regexp_extract(${value}, ${regex}, ${group})`),
  );
  const format = sqlText(fields.map(({ layout }) => layout.specifier).join("|"));
  return (
    `CASE WHEN regexp_full_match(${value}, ${regex}) ` +
    `THEN CAST(try_strptime(concat_ws('|', ${parts.join(", ")}), ${format}) AS DATE) END`
  );
};

/** Spark's cast of a text to a timestamp: `yyyy`, `yyyy-[m]m`, then a date with an optional time and zone. */
const CAST_YEAR_MONTH = "\\s*\\d{4}(?:-\\d{1,2})?\\s*";
const CAST_TIMESTAMP =
  "\\s*\\d{4}-\\d{1,2}-\\d{1,2}(?:[ T]\\d{1,2}:\\d{1,2}(?::\\d{1,2}(?:\\.\\d{1,9})?)?)?\\s*" +
  "(?:Z|[+-]\\d{1,2}(?::?\\d{2})?|[A-Za-z][A-Za-z0-9/_+-]*)?\\s*";

/**
 * The SQL DATE of a text value of a contract column, as the Spark job types it: a timestamp without a format is
 * Spark's cast (ISO 8601 shapes, an offset moves it to UTC), a date without one is `yyyy-MM-dd`, and a column with a
 * `format` is read by that pattern (`dateOfPatternSql`).
 *
 * @example
 *   dateOfTextSql("value", { type: "timestamp", format: "M/d/yyyy H:mm" });
 */
export const dateOfTextSql = (value: string, column: { type: string; format: string | null }): string => {
  if (column.type === "timestamp" && !column.format) {
    // The shapes Spark's cast takes (DuckDB's cast takes more, e.g. 2010/01/05); a year alone or a year and a
    // month is the first day.
    return (
      `CASE WHEN regexp_full_match(${value}, ${sqlText(CAST_YEAR_MONTH)}) ` +
      `THEN TRY_CAST(trim(${value}) || CASE WHEN contains(${value}, '-') THEN '-01' ELSE '-01-01' END AS DATE) ` +
      `WHEN regexp_full_match(${value}, ${sqlText(CAST_TIMESTAMP)}) ` +
      `THEN CAST(TRY_CAST(trim(${value}) AS TIMESTAMPTZ) AS DATE) END`
    );
  }
  if (column.type !== "date" && column.type !== "timestamp") {
    throw new RangeError(`a ${column.type} column holds no date`);
  }
  return dateOfPatternSql(value, column.format ?? "yyyy-MM-dd");
};
