/**
 * The conformed entities (ARCHITECTURE section 4). They are fixed: the warehouse model is built
 * from them, and every source contract maps its own columns onto one or more of them.
 * Types are Spark SQL DDL type names; the same names are used in the curated Parquet files.
 */
export const ENTITY_COLUMN_TYPES = ["string", "int", "timestamp", "decimal(18,4)", "decimal(10,2)"] as const;
export type EntityColumnType = (typeof ENTITY_COLUMN_TYPES)[number];

/**
 * The type of the money columns (unit_price, freight_value, payment_value), and of every total the warehouse
 * keeps of them (fact_sales.revenue, fact_orders' totals, ops.load_audit's sums): 4 decimals hold real unit
 * prices below a cent (UCI Online Retail has 0.001; fuel and wholesale prices have 3 or 4) and currencies with
 * up to 4 minor digits; 18 digits keep 14 before the point (up to 99,999,999,999,999.9999) and fit Redshift's
 * 8-byte DECIMAL (precision 19 or less). A value with more decimals or digits is quarantined (invalid_type),
 * never rounded.
 */
export const MONEY_TYPE = "decimal(18,4)" satisfies EntityColumnType;
/** Decimals of `MONEY_TYPE`. */
export const MONEY_SCALE = 4;

export interface EntityColumn {
  readonly name: string;
  readonly type: EntityColumnType;
  /** A non-nullable column must be mapped by every feed (or have a default). */
  readonly nullable: boolean;
  /** Spark SQL literal used when a feed does not map the column. */
  readonly default?: string;
  /**
   * Width in bytes of the warehouse column it loads into (Redshift VARCHAR(n) counts UTF-8 bytes): a longer
   * value is quarantined as `too_long`, so the local stage refuses what Redshift's COPY would refuse.
   */
  readonly maxLength?: number;
  /**
   * Added to the staging table after the entity's first release, by an `ALTER TABLE ... ADD COLUMN` migration
   * (a new column, or one added again with a wider type), which puts the column after the lineage columns. COPY
   * maps a Parquet file's columns onto the table's by position, so curated files carry appended columns after
   * the lineage columns too, in catalogue order (`curatedColumns`).
   */
  readonly appended?: boolean;
}

export interface EntityDefinition {
  readonly name: string;
  readonly description: string;
  /** Natural key. */
  readonly key: readonly string[];
  /**
   * What a run deduplicates on. Facts keep one row per natural key (the latest); dimensions keep one row per
   * natural key and effective time, because every observed version matters to SCD2: a run over many days must
   * keep the versions that one run per day would have kept, or history would depend on batching.
   */
  readonly dedupeKey: readonly string[];
  readonly columns: readonly EntityColumn[];
  /**
   * The star dimension built from the entity, if any. `attributes` are the entity columns it carries and tracks:
   * for `scd2` a change of any of them starts a new version (they make up core's attr_hash), for `type1` the
   * latest observation's values are kept. `carried` are entity columns the dimension holds without tracking them.
   * test/contracts/catalogue.test.ts checks the DDL and the merge steps against this.
   */
  readonly dimension?: {
    readonly table: string;
    readonly history: "scd2" | "type1";
    readonly attributes: readonly string[];
    readonly carried?: readonly string[];
  };
}

/** Widths of the warehouse's text columns (sql/ddl, after every migration; test/contracts/catalogue.test.ts keeps them equal). */
const ID_WIDTH = 64;
/** Postal codes and their prefixes: the longest national formats have 10 characters ("12345-6789"), all ASCII. */
const ZIP_WIDTH = 16;
const NAME_WIDTH = 256;
/**
 * States, regions and provinces as exports spell them: codes ("SP", "CA-ON") or names ("Provence-Alpes-Côte
 * d'Azur", "Mecklenburg-Vorpommern"), in bytes of UTF-8 (widened from 16 by migrations 143-148).
 */
const STATE_WIDTH = 64;
const STATUS_WIDTH = 32;
/** Country names as exports spell them ("United Kingdom", "European Community", ISO codes). */
const COUNTRY_WIDTH = 64;
/** Free-text product descriptions (a catalogue's long text, not just a till's short label). */
const DESCRIPTION_WIDTH = 4096;

/**
 * The seller of an order item whose source has none (a shop's own till, an invoice export): the house
 * member of `star.dim_seller` (seller_key -2), added by the merge when a run's items first reference it.
 */
export const HOUSE_SELLER_ID = "_house";

const column = (
  name: string,
  type: EntityColumnType,
  options: { nullable?: boolean; default?: string; maxLength?: number; appended?: boolean } = {},
): EntityColumn => ({
  name,
  type,
  nullable: options.nullable ?? true,
  ...(options.default === undefined ? {} : { default: options.default }),
  ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
  ...(options.appended ? { appended: true } : {}),
});

/** A text column of at most `maxLength` bytes (the width of its warehouse column). */
const text = (
  name: string,
  maxLength: number,
  options: { nullable?: boolean; default?: string; appended?: boolean } = {},
): EntityColumn => column(name, "string", { ...options, maxLength });

/** A required text column (an id, unless a width is given). */
const requiredText = (name: string, maxLength = ID_WIDTH): EntityColumn =>
  text(name, maxLength, { nullable: false });

const required = (name: string, type: EntityColumnType): EntityColumn =>
  column(name, type, { nullable: false });

/**
 * A money column (`MONEY_TYPE`). The money columns were decimal(12,2) at first release. Redshift cannot change a
 * DECIMAL column's type: migrations 133-136 added them again to the staging tables, after the lineage columns
 * (appended: COPY maps the curated files by position), and 137-142 rebuilt core, the star facts and the load
 * audit with the wider type, their columns in place.
 */
const money = (name: string, options: { nullable?: boolean; default?: string } = {}): EntityColumn =>
  column(name, MONEY_TYPE, { nullable: false, ...options, appended: true });

/** Every entity carries the time its row became true; feeds default it to the row's `_effective_at`. */
const effectiveAt = column("effective_at", "timestamp", { nullable: false, default: "_effective_at" });

export const ENTITIES: readonly EntityDefinition[] = [
  {
    name: "customers",
    description: "One row per customer id (an order's customer); the person is customer_unique_id.",
    key: ["customer_id"],
    dedupeKey: ["customer_id", "effective_at"],
    dimension: {
      table: "dim_customer",
      history: "scd2",
      attributes: ["zip_code_prefix", "city", "state", "country"],
    },
    columns: [
      requiredText("customer_id"),
      requiredText("customer_unique_id"),
      text("zip_code_prefix", ZIP_WIDTH),
      text("city", NAME_WIDTH),
      text("state", STATE_WIDTH),
      effectiveAt,
      text("country", COUNTRY_WIDTH, { appended: true }),
    ],
  },
  {
    name: "products",
    description: "One row per product id.",
    key: ["product_id"],
    dedupeKey: ["product_id", "effective_at"],
    dimension: {
      table: "dim_product",
      history: "scd2",
      attributes: [
        "category_name",
        "name_length",
        "description_length",
        "photos_qty",
        "weight_g",
        "length_cm",
        "height_cm",
        "width_cm",
        "product_name",
        "product_description",
      ],
      // The English name comes from the latest category translation, re-resolved when one arrives.
      carried: ["category_name_english"],
    },
    columns: [
      requiredText("product_id"),
      text("product_name", 512),
      text("category_name", NAME_WIDTH),
      text("category_name_english", NAME_WIDTH),
      column("name_length", "int"),
      column("description_length", "int"),
      column("photos_qty", "int"),
      column("weight_g", "decimal(10,2)"),
      column("length_cm", "decimal(10,2)"),
      column("height_cm", "decimal(10,2)"),
      column("width_cm", "decimal(10,2)"),
      effectiveAt,
      text("product_description", DESCRIPTION_WIDTH, { appended: true }),
    ],
  },
  {
    name: "sellers",
    description: "One row per seller id.",
    key: ["seller_id"],
    dedupeKey: ["seller_id", "effective_at"],
    dimension: { table: "dim_seller", history: "type1", attributes: ["zip_code_prefix", "city", "state"] },
    columns: [
      requiredText("seller_id"),
      text("zip_code_prefix", ZIP_WIDTH),
      text("city", NAME_WIDTH),
      text("state", STATE_WIDTH),
      effectiveAt,
    ],
  },
  {
    name: "orders",
    description: "One row per order id.",
    key: ["order_id"],
    dedupeKey: ["order_id"],
    columns: [
      requiredText("order_id"),
      requiredText("customer_id"),
      requiredText("status", STATUS_WIDTH),
      required("purchased_at", "timestamp"),
      column("approved_at", "timestamp"),
      column("delivered_carrier_at", "timestamp"),
      column("delivered_customer_at", "timestamp"),
      column("estimated_delivery_at", "timestamp"),
      effectiveAt,
    ],
  },
  {
    name: "order_items",
    description: "One row per (order id, item number).",
    key: ["order_id", "order_item_id"],
    dedupeKey: ["order_id", "order_item_id"],
    columns: [
      requiredText("order_id"),
      required("order_item_id", "int"),
      requiredText("product_id"),
      text("seller_id", ID_WIDTH, { nullable: false, default: `'${HOUSE_SELLER_ID}'` }),
      column("shipping_limit_at", "timestamp"),
      column("quantity", "int", { nullable: false, default: "1" }),
      money("unit_price"),
      money("freight_value", { default: "0" }),
      effectiveAt,
    ],
  },
  {
    name: "payments",
    description: "One row per (order id, payment sequence number).",
    key: ["order_id", "payment_sequential"],
    dedupeKey: ["order_id", "payment_sequential"],
    columns: [
      requiredText("order_id"),
      required("payment_sequential", "int"),
      requiredText("payment_type", STATUS_WIDTH),
      column("installments", "int"),
      money("payment_value"),
      effectiveAt,
    ],
  },
  {
    name: "category_translation",
    description: "One row per Portuguese category name.",
    key: ["category_name"],
    dedupeKey: ["category_name", "effective_at"],
    columns: [
      requiredText("category_name", NAME_WIDTH),
      text("category_name_english", NAME_WIDTH),
      effectiveAt,
    ],
  },
];

/** Lineage values every curated row carries, and that feed expressions may read. */
export const LINEAGE_COLUMNS = {
  _run_id: "the run (= Step Functions execution name) that produced the row",
  _source_file: "URI of the raw object the row was read from",
  _source_line:
    "1-based physical line where the record starts (csv: header is line 1; jsonl: line n); null for parquet",
  _ingested_at: "when the run read the file (UTC)",
  _batch_date:
    "the object's batch date: its dt=YYYY-MM-DD folder, or the date its contract takes from the file name; 00:00 UTC",
  _event_time: "the source's event-time column, typed; null if the contract names none",
  _effective_at: "coalesce(_event_time, _batch_date, object upload time): when the row became true",
} as const;

/** Curated files carry these lineage columns after the entity's own columns (and before appended ones). */
export const CURATED_LINEAGE_COLUMNS = ["_run_id", "_source_file", "_source_line", "_ingested_at"] as const;

/** A column of a curated file (and of its staging table): an entity column or a lineage column. */
export interface CuratedColumn {
  readonly name: string;
  readonly type: EntityColumnType;
  readonly nullable: boolean;
}

const LINEAGE_TYPES: readonly CuratedColumn[] = [
  { name: "_run_id", type: "string", nullable: false },
  { name: "_source_file", type: "string", nullable: false },
  { name: "_source_line", type: "int", nullable: true },
  { name: "_ingested_at", type: "timestamp", nullable: false },
];

/**
 * The columns of an entity's curated files, in file order, which is the order of its staging table's
 * columns (COPY maps Parquet columns by position): the entity's first-release columns, the lineage
 * columns, then the appended columns in catalogue order.
 *
 * @example
 *   curatedColumns(entityByName("customers")!).map((c) => c.name)
 *   // ["customer_id", ..., "effective_at", "_run_id", "_source_file", "_source_line", "_ingested_at", "country"]
 */
export const curatedColumns = (entity: EntityDefinition): readonly CuratedColumn[] => {
  const plain = ({ name, type, nullable }: EntityColumn): CuratedColumn => ({ name, type, nullable });
  return [
    ...entity.columns.filter((c) => !c.appended).map(plain),
    ...LINEAGE_TYPES,
    ...entity.columns.filter((c) => c.appended).map(plain),
  ];
};

/**
 * Machine-readable quarantine reasons, in precedence order: a row with several defects is
 * quarantined once, for the first reason that applies (then the first column in contract order).
 */
export const QUARANTINE_REASONS = {
  malformed_row: "the record cannot be split into the contract's columns (wrong column count, invalid JSON)",
  missing_required: "a required column is empty",
  invalid_type: "a value does not parse as the column's type or format",
  rule_violation: "a row-level quality rule with severity error failed",
  too_long: "a value is longer than the warehouse column it loads into (bytes of UTF-8, as Redshift counts)",
} as const;
export type QuarantineReason = keyof typeof QUARANTINE_REASONS;

export const entityByName = (name: string): EntityDefinition | undefined =>
  ENTITIES.find((entity) => entity.name === name);
