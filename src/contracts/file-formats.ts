import type { FileFormat } from "./schema.js";

/**
 * The one extension -> format rule: the file-name endings each format accepts (a contract accepts those of its
 * formats; the longest matching ending wins), and whether an ending means gzip. The trigger classifies a key
 * with it once; the manifest carries the format and the compression to the Spark job.
 */
export const EXTENSIONS: Readonly<Record<FileFormat, readonly string[]>> = {
  csv: [".csv", ".csv.gz", ".txt", ".txt.gz"],
  jsonl: [".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz"],
  parquet: [".parquet"],
};

/** How a raw file is compressed: by its `.gz` ending, else not at all. */
export type Compression = "gzip" | null;

/**
 * The format and compression of one of the endings in `EXTENSIONS`.
 *
 * @example
 *   fileTypeOf(".csv.gz"); // { format: "csv", compression: "gzip" }
 */
export const fileTypeOf = (extension: string): { format: FileFormat; compression: Compression } => {
  const lowered = extension.toLowerCase();
  const format = (Object.keys(EXTENSIONS) as FileFormat[]).find((name) => EXTENSIONS[name].includes(lowered));
  if (!format)
    throw new RangeError(`${extension} is none of the extensions of ${Object.keys(EXTENSIONS).join(", ")}`);
  return { format, compression: lowered.endsWith(".gz") ? "gzip" : null };
};

/**
 * The ending of `fileName` among a contract's `extensions` (case-insensitive, the longest wins), or undefined.
 *
 * @example
 *   matchExtension("Orders.CSV.gz", [".csv", ".csv.gz"]); // ".csv.gz"
 */
export const matchExtension = (fileName: string, extensions: readonly string[]): string | undefined => {
  const name = fileName.toLowerCase();
  return [...extensions]
    .sort((a, b) => b.length - a.length)
    .find((candidate) => name.endsWith(candidate.toLowerCase()));
};
