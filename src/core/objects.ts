import type { ContractBundle, FileFormat } from "../contracts/index.js";

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

export type Classification =
  | {
      readonly ok: true;
      readonly source: string;
      readonly format: FileFormat;
      readonly extension: string;
      readonly batchDate: string | null;
    }
  | {
      readonly ok: false;
      readonly reason: "unknown_source" | "unsupported_format";
      readonly source: string | null;
      readonly detail: string;
    };

const BATCH_DATE = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})(?:\/|$)/;

const formatOfExtension = (extension: string): FileFormat => {
  const bare = extension.replace(/\.gz$/, "");
  if ([".jsonl", ".ndjson", ".json"].includes(bare)) return "jsonl";
  if (bare === ".parquet") return "parquet";
  return "csv";
};

/** True for keys that are folder markers rather than files (the S3 console creates them). */
export const isFolderMarker = (key: string): boolean => key.endsWith("/");

/**
 * Routes a raw object key to its source contract (first key segment) and format (longest
 * matching extension of that contract), and reads the batch date from a `dt=YYYY-MM-DD` segment.
 *
 * @example
 *   classifyKey("orders/dt=2017-01-05/orders.csv", bundle);
 *   // { ok: true, source: "orders", format: "csv", extension: ".csv", batchDate: "2017-01-05" }
 */
export const classifyKey = (key: string, bundle: ContractBundle): Classification => {
  const slash = key.indexOf("/");
  if (slash <= 0) {
    return { ok: false, reason: "unknown_source", source: null, detail: "key has no <source>/ prefix" };
  }
  const source = key.slice(0, slash);
  const contract = bundle.sources[source];
  if (!contract) {
    return {
      ok: false,
      reason: "unknown_source",
      source,
      detail: `no contract named "${source}" (known: ${Object.keys(bundle.sources).sort().join(", ")})`,
    };
  }
  const name = key.slice(key.lastIndexOf("/") + 1).toLowerCase();
  const extension = [...contract.extensions]
    .sort((a, b) => b.length - a.length)
    .find((candidate) => name.endsWith(candidate.toLowerCase()));
  if (!extension) {
    return {
      ok: false,
      reason: "unsupported_format",
      source,
      detail: `"${name}" does not end with one of ${contract.extensions.join(", ")}`,
    };
  }
  const batchDate = BATCH_DATE.exec(key)?.[1] ?? null;
  return { ok: true, source, format: formatOfExtension(extension), extension, batchDate };
};
