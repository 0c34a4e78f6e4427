import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";

/**
 * Builders for the corpus's file contents: rows of the shipped sources' files, encodings, gzip and
 * parquet. Big or binary content is built by these at test time; nothing large is committed.
 */

/** The bytes of a case's file, or how to make them. */
export type Content = string | Uint8Array | (() => Uint8Array | Promise<Uint8Array>);

/** The bytes of a case's content. */
export const contentBytes = async (content: Content): Promise<Uint8Array> => {
  if (typeof content === "string") return new TextEncoder().encode(content);
  if (content instanceof Uint8Array) return content;
  return content();
};

export const ORDERS_HEADER =
  "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at," +
  "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date";
export const ITEMS_HEADER =
  "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value";
export const CUSTOMERS_HEADER =
  "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state";
export const PAYMENTS_HEADER = "order_id,payment_sequential,payment_type,payment_installments,payment_value";

/** One orders line; `purchased` replaces the purchase timestamp, `status` the status. */
export const order = (id: string, purchased = "2017-01-05 10:00:00", status = "delivered"): string =>
  `${id},c-${id},${status},${purchased},2017-01-05 11:00:00,2017-01-06 10:00:00,2017-01-09 10:00:00,2017-01-20 00:00:00`;

/** One order_items line with its price (raw text, quote it yourself). */
export const item = (orderId: string, price = "10.00", itemId = "1"): string =>
  `${orderId},${itemId},p-1,s-1,2017-01-07 10:00:00,${price},5.00`;

/** One customers line with its city (raw text). */
export const customer = (id: string, city = "sao paulo"): string => `${id},u-${id},01001,${city},SP`;

/** One payments JSON line; `fields` replaces or adds values (raw JSON text per key). */
export const payment = (orderId: string, fields: Record<string, string> = {}): string => {
  const values: Record<string, string> = {
    order_id: JSON.stringify(orderId),
    payment_sequential: "1",
    payment_type: '"credit_card"',
    payment_installments: "1",
    payment_value: "12.50",
    ...fields,
  };
  return `{${Object.entries(values)
    .map(([key, value]) => `"${key}": ${value}`)
    .join(", ")}}`;
};

/** A csv file: the header, then the lines, each ended by `\n` (or `end`). */
export const csv = (header: string, lines: readonly string[], end = "\n"): string =>
  [header, ...lines].map((line) => `${line}${end}`).join("");

export const jsonl = (lines: readonly string[]): string => lines.map((line) => `${line}\n`).join("");

export const latin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "latin1"));

/** UTF-16 with a BOM, little- or big-endian. */
export const utf16 = (text: string, order: "le" | "be"): Uint8Array => {
  const bytes = Buffer.from(`\uFEFF${text}`, "utf16le");
  if (order === "be") bytes.swap16();
  return new Uint8Array(bytes);
};

export const gzip = (content: string | Uint8Array): Uint8Array =>
  new Uint8Array(gzipSync(typeof content === "string" ? Buffer.from(content) : content));

export const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/**
 * A parquet file written by DuckDB from one SELECT (column names and types as the query gives them).
 *
 * @example
 *   await parquet("SELECT 'o-1' AS order_id, 1 AS payment_sequential");
 */
export const parquet = async (select: string): Promise<Uint8Array> => {
  const dir = await mkdtemp(join(tmpdir(), "corpus-parquet-"));
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const file = join(dir, "file.parquet");
    await connection.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
    return new Uint8Array(await readFile(file));
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
};

/** A parquet payments row set (the corpus_parquet contract's columns, with the right types). */
export const PARQUET_PAYMENTS =
  "SELECT * FROM (VALUES ('pq-1', 1, 'credit_card', 1, 12.50::DECIMAL(12,2)), " +
  "('pq-2', 1, 'boleto', 1, 30.00::DECIMAL(12,2))) AS t(order_id, payment_sequential, payment_type, " +
  "payment_installments, payment_value)";
