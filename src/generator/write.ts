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
const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

const csvField = (value: string | null, random: Random, optionalQuote: number): string => {
  if (value === null || value === "") return "";
  if (NEEDS_QUOTES.test(value) || random.chance(optionalQuote)) return `"${value.replaceAll('"', '""')}"`;
  return value;
};

const jsonValue = (value: string | null, numeric: boolean): string => {
  if (value === null) return "null";
  if (numeric && NUMBER_TEXT.test(value)) return value;
  return JSON.stringify(value);
};

/** One CSV record; a malformed one loses its last field (the formatting stream still draws for it). */
const csvRecord = (
  raw: RawRow,
  columns: readonly string[],
  random: Random,
  optionalQuote: number,
): string => {
  const kept = raw.defect?.malformed ? columns.length - 1 : columns.length;
  let text = "";
  for (let index = 0; index < columns.length; index++) {
    const field = csvField(raw.fields[columns[index] as string] ?? null, random, optionalQuote);
    if (index < kept) text = index === 0 ? field : `${text},${field}`;
  }
  return text;
};

/** One JSON line (`"column":` prefixes precomputed); a malformed one is cut in half. */
const jsonRecord = (raw: RawRow, columns: readonly string[], prefixes: readonly string[]): string => {
  let body = "";
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index] as string;
    const value = jsonValue(raw.fields[column] ?? null, raw.numeric?.has(column) ?? false);
    body = index === 0 ? `${prefixes[index]}${value}` : `${body},${prefixes[index]}${value}`;
  }
  return raw.defect?.malformed ? `{${body.slice(0, Math.floor(body.length / 2))}` : `{${body}}`;
};

const newlinesIn = (text: string): number => {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return count;
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
  const prefixes = columns.map((column) => `${JSON.stringify(column)}:`);
  const crlf = source === "category_translation";
  const eol = crlf ? "\r\n" : "\n";
  const records: { raw: RawRow; line: number }[] = new Array(rows.length);
  // Records joined by `eol`, the CSV header first; built by concatenation (no per-row arrays).
  let body = format === "csv" ? (crlf ? "\ufeff" : "") + columns.join(",") : "";
  let parts = format === "csv" ? 1 : 0;
  let line = parts + 1;
  for (let index = 0; index < rows.length; index++) {
    const raw = rows[index] as RawRow;
    const text =
      format === "csv" ? csvRecord(raw, columns, random, optionalQuote) : jsonRecord(raw, columns, prefixes);
    records[index] = { raw, line };
    line += text.includes("\n") ? 1 + newlinesIn(text) : 1;
    body = parts === 0 ? text : body + eol + text;
    parts++;
  }
  if (finalNewline && parts > 0) body += eol;
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
