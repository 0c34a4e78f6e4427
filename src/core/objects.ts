import {
  type CompiledSource,
  type Compression,
  type ContractBundle,
  type FileFormat,
  fileTypeOf,
  matchExtension,
} from "../contracts/index.js";

/**
 * Decodes an object key as S3 event notifications carry it: URL-encoded, with `+` for a space.
 *
 * @example
 *   decodeS3Key("orders/dt%3D2017-01-05/my+file.csv"); // "orders/dt=2017-01-05/my file.csv"
 */
export const decodeS3Key = (key: string): string => decodeURIComponent(key.replace(/\+/g, " "));

/**
 * Encodes a key the way S3 writes it into an event notification (the inverse of `decodeS3Key`).
 *
 * @example
 *   encodeS3Key("orders/dt=2017-01-05/my file.csv"); // "orders/dt%3D2017-01-05/my+file.csv"
 */
export const encodeS3Key = (key: string): string =>
  key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, "+"))
    .join("/");

export type UnroutableReason =
  | "unknown_source"
  | "unsupported_format"
  | "invalid_key"
  | "no_batch_date"
  | "invalid_batch_date";

export type Classification =
  | {
      readonly ok: true;
      readonly source: string;
      readonly format: FileFormat;
      readonly compression: Compression;
      readonly extension: string;
      readonly batchDate: string;
    }
  | {
      readonly ok: false;
      readonly reason: UnroutableReason;
      readonly source: string | null;
      readonly detail: string;
    };

/** A key the contracts accept. */
export type Routed = Extract<Classification, { readonly ok: true }>;

const DT_FOLDER = /^dt=(.*)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `YYYY-MM-DD` when year, month and day name a real calendar date (year 0001-9999), else null.
 *
 * @example
 *   calendarDate("2017", "02", "28"); // "2017-02-28"
 *   calendarDate("2017", "02", "30"); // null
 */
export const calendarDate = (year: string, month: string, day: string): string | null => {
  if (!/^\d{4}$/.test(year) || !/^\d{1,2}$/.test(month) || !/^\d{1,2}$/.test(day)) return null;
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  if (y < 1 || m < 1 || m > 12 || d < 1) return null;
  const probe = new Date(Date.UTC(2000, m - 1, d));
  probe.setUTCFullYear(y);
  if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null;
  return `${year}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
};

/**
 * A `YYYY-MM-DD` text that is a real calendar date, or null.
 *
 * @example
 *   isoDate("2017-13-45"); // null
 */
export const isoDate = (text: string): string | null => {
  const parts = ISO_DATE.exec(text);
  return parts ? calendarDate(parts[1] ?? "", parts[2] ?? "", parts[3] ?? "") : null;
};

/**
 * The batch date a contract's file-name pattern takes from a file name (named groups `year`,
 * `month`, `day`): the date, `"no_match"`, or `"invalid"` when the groups name no calendar date.
 *
 * @example
 *   dateFromFileName("2010-12-01.csv", "^(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})\\.csv$"); // "2010-12-01"
 */
export const dateFromFileName = (name: string, pattern: string): string | "no_match" | "invalid" => {
  const groups = new RegExp(pattern).exec(name)?.groups;
  if (!groups) return "no_match";
  return calendarDate(groups.year ?? "", groups.month ?? "", groups.day ?? "") ?? "invalid";
};

/**
 * What a routed key puts into its run input object: the classification every later step trusts (PlanBatch
 * copies it into the manifest, the Spark job reads the file by it).
 *
 * @example
 *   routedFields(classifyKey("orders/dt=2017-01-05/o.csv.gz", bundle) as Routed);
 *   // { source: "orders", format: "csv", compression: "gzip", batch_date: "2017-01-05" }
 */
export const routedFields = (routed: Routed) => ({
  source: routed.source,
  format: routed.format,
  compression: routed.compression,
  batch_date: routed.batchDate,
});

/** True for keys that are folder markers rather than files (the S3 console creates them). */
export const isFolderMarker = (key: string): boolean => key.endsWith("/");

type BatchDateOf = { readonly date: string } | { readonly reason: UnroutableReason; readonly detail: string };

/** The key shapes a contract's batch date accepts, for the messages. */
const keyShape = (batchDate: CompiledSource["batch_date"]): string =>
  batchDate.from === "file_name"
    ? "<source>/dt=YYYY-MM-DD/<file> or <source>/<file> with the date in the file name"
    : "<source>/dt=YYYY-MM-DD/<file>";

/** Why a key without a `dt=` folder has no batch date, by where its contract takes the date from. */
const noDateFolder = (source: string, file: string, batchDate: CompiledSource["batch_date"]): BatchDateOf => {
  switch (batchDate.from) {
    case "file_name": {
      const date = dateFromFileName(file, batchDate.pattern);
      if (date === "no_match") {
        return {
          reason: "no_batch_date",
          detail: `"${file}" does not match the contract's batch_date.pattern ${batchDate.pattern}`,
        };
      }
      if (date === "invalid") {
        return { reason: "invalid_batch_date", detail: `"${file}" names no calendar date` };
      }
      return { date };
    }
    case "column":
      // The trigger reads keys, not files: only `pipeline drop` reads the column before the upload.
      return {
        reason: "no_batch_date",
        detail:
          `no dt=YYYY-MM-DD folder: the ${source} contract dates a file by its column ${batchDate.column} ` +
          `(batch_date.from: column), which the trigger cannot read; upload it with ` +
          `\`pipeline drop <file> --source ${source}\` (it reads the column and files the object under ` +
          `${source}/dt=<date>/), or put it under ${source}/dt=YYYY-MM-DD/ yourself`,
      };
    default:
      return {
        reason: "no_batch_date",
        detail: `no dt=YYYY-MM-DD folder, and the contract takes no date from file names; keys are ${keyShape(batchDate)}`,
      };
  }
};

/** The batch date of a key already split into `<source>`, middle folders and `<file>`. */
const batchDateOf = (
  source: string,
  middle: readonly string[],
  file: string,
  batchDate: CompiledSource["batch_date"],
): BatchDateOf => {
  const shape = keyShape(batchDate);
  if (middle.length === 1) {
    const folder = DT_FOLDER.exec(middle[0] ?? "");
    if (!folder) {
      return {
        reason: "invalid_key",
        detail: `"${middle[0]}" is not a dt=YYYY-MM-DD folder; keys are ${shape}`,
      };
    }
    const date = isoDate(folder[1] ?? "");
    if (!date) {
      return {
        reason: "invalid_batch_date",
        detail: `dt=${folder[1]} is not a calendar date (YYYY-MM-DD)`,
      };
    }
    return { date };
  }
  if (middle.length > 1) {
    return {
      reason: "invalid_key",
      detail: `${middle.length} folders between source and file; keys are ${shape}`,
    };
  }
  return noDateFolder(source, file, batchDate);
};

/**
 * Routes a raw object key to its source contract (first key segment) and format (longest matching
 * extension of that contract), and finds its batch date where the contract says: the key's
 * `dt=YYYY-MM-DD` folder (`<source>/dt=YYYY-MM-DD/<file>`), or, for a contract whose `batch_date` is
 * `file_name`, a date in the file name (`<source>/<file>`; a `dt=` folder still wins). A contract whose
 * `batch_date` is `column` needs the `dt=` folder (`pipeline drop` reads the column and writes it): without
 * one the object is not routed (`no_batch_date`, naming the column). Anything else is not routed, with a reason: an empty, `.` or `..` segment (`invalid_key`), another folder shape
 * (`invalid_key`), no date (`no_batch_date`), or a date that is not on the calendar
 * (`invalid_batch_date`, e.g. `dt=2017-02-30`). There is no fallback to the upload time.
 *
 * @example
 *   classifyKey("orders/dt=2017-01-05/orders.csv", bundle);
 *   // { ok: true, source: "orders", format: "csv", compression: null, extension: ".csv", batchDate: "2017-01-05" }
 */
export const classifyKey = (key: string, bundle: ContractBundle): Classification => {
  const segments = key.split("/");
  if (segments.length < 2) {
    return { ok: false, reason: "unknown_source", source: null, detail: "key has no <source>/ prefix" };
  }
  const bad = segments.findIndex((segment) => segment === "" || segment === "." || segment === "..");
  if (bad >= 0) {
    return {
      ok: false,
      reason: "invalid_key",
      source: bad === 0 ? null : (segments[0] ?? null),
      detail: `segment ${bad + 1} of the key is ${segments[bad] === "" ? "empty" : `"${segments[bad]}"`}`,
    };
  }
  const source = segments[0] as string;
  const contract = bundle.sources[source];
  if (!contract) {
    return {
      ok: false,
      reason: "unknown_source",
      source,
      detail: `no contract named "${source}" (known: ${Object.keys(bundle.sources).sort().join(", ")})`,
    };
  }
  const file = segments.at(-1) as string;
  const extension = matchExtension(file, contract.extensions);
  if (!extension) {
    return {
      ok: false,
      reason: "unsupported_format",
      source,
      detail: `"${file.toLowerCase()}" does not end with one of ${contract.extensions.join(", ")}`,
    };
  }
  if (extension.endsWith(".gz") && !file.endsWith(".gz")) {
    // The readers (Hadoop's codec lookup in Spark) decompress by the exact suffix: `.GZ` would be read as text.
    return {
      ok: false,
      reason: "unsupported_format",
      source,
      detail: `"${file}": a gzip file must end in lowercase .gz to be decompressed; rename it`,
    };
  }
  // Bundles compiled before contracts could say where the date comes from read it from the key.
  const dated = batchDateOf(
    source,
    segments.slice(1, -1),
    file,
    contract.batch_date ?? { from: "key", pattern: null },
  );
  if ("reason" in dated) return { ok: false, reason: dated.reason, source, detail: dated.detail };
  return { ok: true, source, ...fileTypeOf(extension), extension, batchDate: dated.date };
};
