import { ENTITIES, MONEY_SCALE, type QuarantineReason } from "../contracts/entities.js";

/** A curated value as the expected truth spells it: text, integer, decimal text ("12.30") or null. */
export type TruthValue = string | number | null;
export type EntityRow = Record<string, TruthValue>;

/** How a row is broken, when it is. */
export interface Defect {
  readonly reason: QuarantineReason;
  /** The source column at fault (null for a malformed record). */
  readonly column: string | null;
  /** csv: the record is written with one field missing; jsonl: the line is not valid JSON. */
  readonly malformed?: boolean;
}

/** One record as it is written to a raw file, with what a correct pipeline makes of it. */
export interface RawRow {
  /** Source column -> raw text (null = empty). In source-column order. */
  readonly fields: Record<string, string | null>;
  /** jsonl: numeric columns written as JSON numbers. */
  readonly numeric?: ReadonlySet<string>;
  readonly defect: Defect | null;
  /** The entity and its row for a valid record. */
  readonly entity: string;
  readonly row: EntityRow | null;
}

/** Rows of one source for one day, in file order, before serialisation. */
export interface SourceDay {
  readonly source: string;
  readonly day: number;
  readonly rows: RawRow[];
}

export const SOURCE_COLUMNS: Record<string, readonly string[]> = {
  customers: [
    "customer_id",
    "customer_unique_id",
    "customer_zip_code_prefix",
    "customer_city",
    "customer_state",
  ],
  products: [
    "product_id",
    "product_category_name",
    "product_name_lenght",
    "product_description_lenght",
    "product_photos_qty",
    "product_weight_g",
    "product_length_cm",
    "product_height_cm",
    "product_width_cm",
  ],
  sellers: ["seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"],
  orders: [
    "order_id",
    "customer_id",
    "order_status",
    "order_purchase_timestamp",
    "order_approved_at",
    "order_delivered_carrier_date",
    "order_delivered_customer_date",
    "order_estimated_delivery_date",
  ],
  order_items: [
    "order_id",
    "order_item_id",
    "product_id",
    "seller_id",
    "shipping_limit_date",
    "price",
    "freight_value",
  ],
  payments: ["order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"],
  category_translation: ["product_category_name", "product_category_name_english"],
};

/** Source -> the entity it feeds (the shipped contracts have one feed each). */
export const SOURCE_ENTITY: Record<string, string> = {
  customers: "customers",
  products: "products",
  sellers: "sellers",
  orders: "orders",
  order_items: "order_items",
  payments: "payments",
  category_translation: "category_translation",
};

/** Natural keys, and what one run deduplicates on (dimensions keep every effective time): from the entities. */
export const ENTITY_KEY: Record<string, readonly string[]> = Object.fromEntries(
  ENTITIES.map((entity) => [entity.name, entity.key]),
);
export const ENTITY_DEDUPE_KEY: Record<string, readonly string[]> = Object.fromEntries(
  ENTITIES.map((entity) => [entity.name, entity.dedupeKey]),
);

/** Source order used for files and truth (dimension-like sources first). */
export const SOURCES: readonly string[] = [
  "category_translation",
  "sellers",
  "products",
  "customers",
  "orders",
  "order_items",
  "payments",
];

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

const datePrefixes = new Map<number, string>();
/** Second of the day -> "HH:MM:SS", built on first use. */
const TIMES_OF_DAY: (string | undefined)[] = new Array(86_400).fill(undefined);

const timeOfDay = (second: number): string => {
  let time = TIMES_OF_DAY[second];
  if (time === undefined) {
    time = `${pad(Math.floor(second / 3600))}:${pad(Math.floor(second / 60) % 60)}:${pad(second % 60)}`;
    TIMES_OF_DAY[second] = time;
  }
  return time;
};

/**
 * `2017-10-02 10:56:33` from epoch milliseconds (UTC). Hot in the generator: the date part is cached
 * per day and the time part per second, so each timestamp is one concatenation of two shared strings.
 */
export const formatTimestamp = (ms: number): string => {
  const day = Math.floor(ms / 86_400_000);
  let prefix = datePrefixes.get(day);
  if (prefix === undefined) {
    const d = new Date(day * 86_400_000);
    prefix = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} `;
    datePrefixes.set(day, prefix);
  }
  return prefix + timeOfDay(Math.floor((ms - day * 86_400_000) / 1000));
};

export const formatDate = (ms: number): string => formatTimestamp(ms).slice(0, 10);

/** Cents to decimal text, as the raw files and the expected totals write money: 5890 -> "58.90". */
export const centsText = (cents: number): string => {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${pad(abs % 100)}`;
};

/**
 * Cents as the curated files hold money (the entity's money type, MONEY_SCALE decimals): 5890 -> "58.9000".
 *
 * @example
 *   curatedMoneyText(5890) // "58.9000"
 */
export const curatedMoneyText = (cents: number): string =>
  `${centsText(cents)}${"0".repeat(MONEY_SCALE - 2)}`;
