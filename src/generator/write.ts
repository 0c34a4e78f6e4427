import { gzipSync } from "node:zlib";
import type { Random } from "./random.js";
import { formatDate, type RawRow, SOURCE_COLUMNS, SOURCES, type SourceDay } from "./rows.js";

export type RawFormat = "csv" | "jsonl";

/** One raw object as it would be dropped into the raw bucket, with each record's starting line. */
export interface RawFile {
  /** Object key: `<source>/dt=YYYY-MM-DD/<source>-YYYY-MM-DD.<ext>`. */
  readonly key: string;
  readonly source: string;
  readonly day: number;
  readonly batchDate: string;
  readonly format: RawFormat;
  readonly gzip: boolean;
  readonly content: Buffer;
  readonly records: readonly { readonly raw: RawRow; readonly line: number }[];
}

const NEEDS_QUOTES = /[",\r\n]/;

const csvField = (value: string | null, random: Random, optionalQuote: number): string => {
  if (value === null || value === "") return "";
  if (NEEDS_QUOTES.test(value) || random.chance(optionalQuote)) return `"${value.replaceAll('"', '""')}"`;
  return value;
};

const jsonValue = (value: string | null, numeric: boolean): string => {
  if (value === null) return "null";
  if (numeric && /^-?\d+(\.\d+)?$/.test(value)) return value;
  return JSON.stringify(value);
};

/** Which days ship which format: the quirks are spread deterministically over the files. */
const layout = (source: string, day: number): { format: RawFormat; gzip: boolean; finalNewline: boolean } => {
  const sourceIndex = SOURCES.indexOf(source);
  return {
    format: source === "payments" && day % 3 === 2 ? "jsonl" : "csv",
    gzip: source === "order_items" && day % 2 === 1,
    finalNewline: source !== "category_translation" && (day + sourceIndex) % 4 !== 0,
  };
};

/**
 * Serialises one source-day into a raw file: CSV quoted only where needed (and sometimes where not),
 * a BOM and CRLF for the translation file, a missing final newline on some files, JSON lines for some
 * payment days, gzip for some item days.
 */
export const writeRawFile = (
  sourceDay: SourceDay,
  dayStartMs: number,
  random: Random,
  optionalQuote: number,
): RawFile => {
  const { source, day, rows } = sourceDay;
  const batchDate = formatDate(dayStartMs);
  const { format, gzip, finalNewline } = layout(source, day);
  const columns = SOURCE_COLUMNS[source] as readonly string[];
  const crlf = source === "category_translation";
  const eol = crlf ? "\r\n" : "\n";
  const parts: string[] = [];
  const records: { raw: RawRow; line: number }[] = [];
  let line = 1;
  if (format === "csv") {
    parts.push((crlf ? "\ufeff" : "") + columns.join(","));
    line = 2;
  }
  for (const raw of rows) {
    let text: string;
    if (format === "csv") {
      const values = columns.map((column) => csvField(raw.fields[column] ?? null, random, optionalQuote));
      if (raw.defect?.malformed) values.pop();
      text = values.join(",");
    } else {
      const body = columns
        .map(
          (column) =>
            `${JSON.stringify(column)}:${jsonValue(raw.fields[column] ?? null, raw.numeric?.has(column) ?? false)}`,
        )
        .join(",");
      text = raw.defect?.malformed ? `{${body.slice(0, Math.floor(body.length / 2))}` : `{${body}}`;
    }
    records.push({ raw, line });
    line += 1 + (text.match(/\n/g)?.length ?? 0);
    parts.push(text);
  }
  let body = parts.join(eol);
  if (finalNewline && parts.length > 0) body += eol;
  const extension = `${format}${gzip ? ".gz" : ""}`;
  const plain = Buffer.from(body, "utf8");
  return {
    key: `${source}/dt=${batchDate}/${source}-${batchDate}.${extension}`,
    source,
    day,
    batchDate,
    format,
    gzip,
    content: gzip ? gzipSync(plain, { level: 6 }) : plain,
    records,
  };
};
