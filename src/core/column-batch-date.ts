import { ValidationError } from "../errors.js";

/** What a file's date column holds: rows per calendar date, and the rows that give none. */
export interface ColumnDates {
  /** Rows per date the column's values fall on (UTC), sorted by date. */
  readonly dates: readonly { readonly date: string; readonly rows: number }[];
  /** Rows whose value is missing: null, empty, or one of the contract's `null_values`. */
  readonly empty: number;
  /** Rows whose value does not parse as the column's type and format. */
  readonly unparseable: number;
  /** One value that does not parse, to show (null when every value parses). */
  readonly example: string | null;
}

/** The file, its column and how the column is parsed, for the messages. */
export interface DatedColumn {
  readonly file: string;
  readonly column: string;
  readonly type: string;
  readonly format: string | null;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

const parsedAs = (column: DatedColumn): string =>
  `a ${column.type}${column.format ? ` in the format ${column.format}` : ""}`;

/**
 * The batch date of a file dated by one of its columns (`batch_date: { from: column }`): the LATEST date in the
 * column, the export's as-of date. Missing and unparseable values are ignored for it; a note says how many there
 * were, and another when the rows span more than one date (the range and how many dates). A file where no value
 * gives a date is refused: a `ValidationError` saying why, and nothing is dropped.
 *
 * @example
 *   batchDateFromColumn(
 *     { dates: [{ date: "2010-12-01", rows: 40 }, { date: "2010-12-02", rows: 3 }], empty: 1, unparseable: 0, example: null },
 *     { file: "exports/retail.csv", column: "InvoiceDate", type: "timestamp", format: "M/d/yyyy H:mm" },
 *   );
 *   // { date: "2010-12-02", notes: ["exports/retail.csv: InvoiceDate spans 2 dates (2010-12-01 .. 2010-12-02): …", …] }
 */
export const batchDateFromColumn = (
  found: ColumnDates,
  column: DatedColumn,
): { readonly date: string; readonly notes: readonly string[] } => {
  const ignored = found.empty + found.unparseable;
  const ignoredParts = [
    ...(found.empty > 0 ? [`${found.empty} empty`] : []),
    ...(found.unparseable > 0
      ? [
          `${found.unparseable} not ${parsedAs(column)}${found.example === null ? "" : ` (e.g. ${JSON.stringify(found.example)})`}`,
        ]
      : []),
  ].join(", ");
  const latest = found.dates.at(-1);
  if (!latest) {
    throw new ValidationError(
      `cannot tell the batch date of ${column.file}: no value of its column ${column.column} gives a date ` +
        `(${ignored === 0 ? "the file has no rows" : `${plural(ignored, "row")}: ${ignoredParts}`}); ` +
        "it was not dropped. Fix the file, or pass --date YYYY-MM-DD",
    );
  }
  const notes: string[] = [];
  if (found.dates.length > 1) {
    const first = found.dates[0]?.date;
    notes.push(
      `${column.file}: ${column.column} spans ${plural(found.dates.length, "date")} (${first} .. ${latest.date}); ` +
        `its batch date is the latest, ${latest.date} (--date overrides)`,
    );
  }
  if (ignored > 0) {
    notes.push(
      `${column.file}: ${plural(ignored, "row")} of ${column.column} ignored for the batch date: ${ignoredParts}`,
    );
  }
  return { date: latest.date, notes };
};
