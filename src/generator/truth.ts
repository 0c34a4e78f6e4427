import {
  centsText,
  ENTITY_DEDUPE_KEY,
  ENTITY_KEY,
  type EntityRow,
  SOURCE_ENTITY,
  type TruthValue,
} from "./rows.js";
import type { RawFile } from "./write.js";

/**
 * The expected truth: what a correct pipeline makes of the generated files, computed with the
 * rules of docs/semantics.md from the rows the generator knows it wrote.
 */

/** A curated row: the entity row (shared, never copied) and its lineage. */
export interface CuratedRow {
  readonly row: EntityRow;
  readonly file: string;
  readonly line: number;
}

/** The row as the expected-curated files spell it. */
export const curatedRecord = (curated: CuratedRow): Record<string, TruthValue> => ({
  ...curated.row,
  _source_file: curated.file,
  _source_line: curated.line,
});

export interface QuarantinedRow {
  readonly _source_file: string;
  readonly _source_line: number;
  readonly _reason: string;
  readonly _reason_column: string | null;
}

export interface FileTruth {
  readonly source: string;
  readonly batch_date: string;
  readonly format: string;
  readonly gzip: boolean;
  rows_read: number;
  quarantined: Record<string, number>;
  exact_duplicates: number;
  superseded: number;
  curated: Record<string, number>;
}

/** A source stopped at the quality gate for one day's run: its rows never reach the warehouse. */
export interface GatedSource {
  readonly batch_date: string;
  readonly source: string;
  readonly rule: "max_reject_rate";
  readonly rows_read: number;
  readonly rows_quarantined: number;
  readonly threshold: number;
}

export interface DayTruth {
  readonly batchDate: string;
  /** Sources of this day's run that the gate stops (their curated rows are still written by Spark). */
  readonly gated: readonly GatedSource[];
  /** entity -> curated rows of the run over this day, sorted by natural key. */
  readonly curated: Map<string, CuratedRow[]>;
  /** source -> quarantined rows, in file order. */
  readonly quarantine: Map<string, QuarantinedRow[]>;
}

/** Greatest (effective_at, _source_file, _source_line) first. */
const newestFirst = (a: CuratedRow, b: CuratedRow): number => {
  const ae = a.row.effective_at as string;
  const be = b.row.effective_at as string;
  if (ae !== be) return ae < be ? 1 : -1;
  if (a.file !== b.file) return a.file < b.file ? 1 : -1;
  return b.line - a.line;
};
const oldestFirst = (a: CuratedRow, b: CuratedRow): number => newestFirst(b, a);

const keyOf = (
  entity: string,
  row: EntityRow,
  keys: Record<string, readonly string[]> = ENTITY_KEY,
): string => {
  const key = keys[entity] as readonly string[];
  return key.length === 1
    ? String(row[key[0] as string])
    : key.map((column) => String(row[column])).join("\u0001");
};

const sameEntityValues = (a: EntityRow, b: EntityRow): boolean =>
  a === b || Object.keys(a).every((column) => a[column] === b[column]);

const bump = (counts: Record<string, number>, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};

const cents = (value: TruthValue | undefined): number => {
  const text = String(value);
  const negative = text.startsWith("-");
  const [whole = "0", fraction = "0"] = text.replace("-", "").split(".");
  const amount = Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
  return negative ? -amount : amount;
};

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Runs one day's files through the run semantics: quarantine, map, dedupe. */
const truthOfDay = (
  files: readonly RawFile[],
  fileTruths: Map<string, FileTruth>,
  thresholds: ReadonlyMap<string, number>,
): DayTruth => {
  // key -> its row, or every row of the key when it occurs more than once (rare: arrays only then).
  const byEntity = new Map<string, Map<string, CuratedRow | CuratedRow[]>>();
  const quarantine = new Map<string, QuarantinedRow[]>();
  for (const file of files) {
    const truth: FileTruth = {
      source: file.source,
      batch_date: file.batchDate,
      format: file.format,
      gzip: file.gzip,
      rows_read: file.records.length,
      quarantined: {},
      exact_duplicates: 0,
      superseded: 0,
      curated: {},
    };
    fileTruths.set(file.key, truth);
    for (const { raw, line } of file.records) {
      if (raw.defect || !raw.row) {
        const reason = raw.defect?.reason ?? "malformed_row";
        bump(truth.quarantined, reason);
        const list = quarantine.get(file.source) ?? [];
        list.push({
          _source_file: file.key,
          _source_line: line,
          _reason: reason,
          _reason_column: raw.defect?.column ?? null,
        });
        quarantine.set(file.source, list);
        continue;
      }
      const curated: CuratedRow = { row: raw.row, file: file.key, line };
      let groups = byEntity.get(raw.entity);
      if (!groups) {
        groups = new Map();
        byEntity.set(raw.entity, groups);
      }
      const key = keyOf(raw.entity, raw.row, ENTITY_DEDUPE_KEY);
      const existing = groups.get(key);
      if (existing === undefined) groups.set(key, curated);
      else if (Array.isArray(existing)) existing.push(curated);
      else groups.set(key, [existing, curated]);
    }
  }
  const curated = new Map<string, CuratedRow[]>();
  for (const [entity, groups] of byEntity) {
    const kept: CuratedRow[] = [];
    const curatedPerFile = new Map<string, number>();
    for (const entry of groups.values()) {
      const group = Array.isArray(entry) ? entry.sort(newestFirst) : [entry];
      const [winner, ...dropped] = group as [CuratedRow, ...CuratedRow[]];
      kept.push(winner);
      curatedPerFile.set(winner.file, (curatedPerFile.get(winner.file) ?? 0) + 1);
      for (const loser of dropped) {
        const truth = fileTruths.get(loser.file) as FileTruth;
        if (sameEntityValues(loser.row, winner.row)) truth.exact_duplicates += 1;
        else truth.superseded += 1;
      }
    }
    for (const [file, count] of curatedPerFile)
      bump((fileTruths.get(file) as FileTruth).curated, entity, count);
    const keys = new Map(kept.map((curated) => [curated, keyOf(entity, curated.row)]));
    kept.sort((a, b) => compareText(keys.get(a) as string, keys.get(b) as string));
    curated.set(entity, kept);
  }
  const gated: GatedSource[] = [];
  const bySource = new Map<string, { read: number; quarantined: number }>();
  for (const file of files) {
    const truth = fileTruths.get(file.key) as FileTruth;
    const totals = bySource.get(file.source) ?? { read: 0, quarantined: 0 };
    totals.read += truth.rows_read;
    totals.quarantined += Object.values(truth.quarantined).reduce((sum, count) => sum + count, 0);
    bySource.set(file.source, totals);
  }
  for (const [source, totals] of bySource) {
    const threshold = thresholds.get(source);
    if (threshold !== undefined && totals.read > 0 && totals.quarantined / totals.read > threshold) {
      gated.push({
        batch_date: files[0]?.batchDate ?? "",
        source,
        rule: "max_reject_rate",
        rows_read: totals.read,
        rows_quarantined: totals.quarantined,
        threshold,
      });
    }
  }
  return { batchDate: files[0]?.batchDate ?? "", gated, curated, quarantine };
};

interface Version {
  readonly validFrom: string;
  readonly row: EntityRow;
}

/** SCD2 versions of one dimension: observations ordered, a new version whenever the attributes change. */
const scd2 = (
  observations: readonly CuratedRow[],
  keyColumn: string,
  attributes: readonly string[],
): Map<string, Version[]> => {
  const byKey = new Map<string, CuratedRow[]>();
  for (const observation of observations) {
    const key = String(observation.row[keyColumn]);
    const list = byKey.get(key);
    if (list) list.push(observation);
    else byKey.set(key, [observation]);
  }
  const versions = new Map<string, Version[]>();
  for (const [key, rows] of byKey) {
    rows.sort(oldestFirst);
    const list: Version[] = [];
    let previous: string | null = null;
    for (const observation of rows) {
      const hash = JSON.stringify(attributes.map((column) => observation.row[column] ?? null));
      if (hash === previous) continue;
      previous = hash;
      list.push({
        validFrom: list.length === 0 ? "1900-01-01 00:00:00" : String(observation.row.effective_at),
        row: observation.row,
      });
    }
    versions.set(key, list);
  }
  return versions;
};

const versionAt = (versions: readonly Version[] | undefined, at: string): Version | undefined => {
  if (!versions) return undefined;
  let found: Version | undefined;
  for (const version of versions) if (version.validFrom <= at) found = version;
  return found;
};

/** Latest row per natural key over every run (order-independent: ties break on the object key). */
const latestByKey = (entity: string, rows: readonly CuratedRow[]): Map<string, EntityRow> => {
  const latest = new Map<string, CuratedRow>();
  for (const curated of rows) {
    const key = keyOf(entity, curated.row);
    const current = latest.get(key);
    if (!current || newestFirst(curated, current) < 0) latest.set(key, curated);
  }
  return new Map([...latest].map(([key, curated]) => [key, curated.row]));
};

const sortedRecord = <T>(entries: Iterable<[string, T]>): Record<string, T> =>
  Object.fromEntries([...entries].sort(([a], [b]) => compareText(a, b)));

export const CUSTOMER_ATTRIBUTES = ["zip_code_prefix", "city", "state"] as const;
export const PRODUCT_ATTRIBUTES = [
  "category_name",
  "name_length",
  "description_length",
  "photos_qty",
  "weight_g",
  "length_cm",
  "height_cm",
  "width_cm",
] as const;
const EXCLUDED_FROM_REVENUE = new Set(["canceled", "unavailable"]);

/**
 * Computes the expected truth of a generated dataset, assuming each day (`dt=`) is one run.
 *
 * @example
 *   const { truth, days } = computeTruth(files);
 *   truth.revenue_by_month["2017-01"]; // "123456.78"
 */
export const computeTruth = (files: readonly RawFile[], thresholds: ReadonlyMap<string, number>) => {
  const fileTruths = new Map<string, FileTruth>();
  const byDay = new Map<number, RawFile[]>();
  for (const file of files) byDay.set(file.day, [...(byDay.get(file.day) ?? []), file]);
  const days = [...byDay.keys()]
    .sort((a, b) => a - b)
    .map((day) => truthOfDay(byDay.get(day) ?? [], fileTruths, thresholds));

  // What reaches the warehouse: every day's curated rows except those of the sources the gate stopped.
  const gatedEntities = (day: DayTruth): Set<string> =>
    new Set(day.gated.map((gated) => SOURCE_ENTITY[gated.source] as string));
  const all = (entity: string): CuratedRow[] =>
    days.flatMap((day) => (gatedEntities(day).has(entity) ? [] : (day.curated.get(entity) ?? [])));
  const orders = latestByKey("orders", all("orders"));
  const items = latestByKey("order_items", all("order_items"));
  const payments = latestByKey("payments", all("payments"));
  const customers = latestByKey("customers", all("customers"));
  const sellers = latestByKey("sellers", all("sellers"));
  const translations = latestByKey("category_translation", all("category_translation"));
  const personVersions = scd2(all("customers"), "customer_unique_id", CUSTOMER_ATTRIBUTES);
  const productVersions = scd2(all("products"), "product_id", PRODUCT_ATTRIBUTES);
  const productIds = new Set(all("products").map((curated) => String(curated.row.product_id)));

  const revenueByMonth = new Map<string, number>();
  const revenueByCategory = new Map<string, number>();
  let itemsUnknownOrder = 0;
  let itemsUnknownProduct = 0;
  let itemsUnknownCustomer = 0;
  for (const item of items.values()) {
    const order = orders.get(String(item.order_id));
    if (!order) itemsUnknownOrder += 1;
    if (!productIds.has(String(item.product_id))) itemsUnknownProduct += 1;
    const customer = order ? customers.get(String(order.customer_id)) : undefined;
    if (!customer) itemsUnknownCustomer += 1;
    if (!order || EXCLUDED_FROM_REVENUE.has(String(order.status))) continue;
    const revenue = cents(item.unit_price) * Number(item.quantity);
    const month = String(order.purchased_at).slice(0, 7);
    revenueByMonth.set(month, (revenueByMonth.get(month) ?? 0) + revenue);
    const version = versionAt(productVersions.get(String(item.product_id)), String(order.purchased_at));
    const category = version ? ((version.row.category_name as string | null) ?? "(none)") : "(unknown)";
    revenueByCategory.set(category, (revenueByCategory.get(category) ?? 0) + revenue);
  }

  const ordersByStatus = new Map<string, number>();
  let ordersUnknownCustomer = 0;
  for (const order of orders.values()) {
    ordersByStatus.set(String(order.status), (ordersByStatus.get(String(order.status)) ?? 0) + 1);
    if (!customers.has(String(order.customer_id))) ordersUnknownCustomer += 1;
  }

  const paymentTypes = new Map<string, { count: number; cents: number }>();
  let paymentCents = 0;
  let paymentsUnknownOrder = 0;
  for (const payment of payments.values()) {
    const value = cents(payment.payment_value);
    paymentCents += value;
    const entry = paymentTypes.get(String(payment.payment_type)) ?? { count: 0, cents: 0 };
    entry.count += 1;
    entry.cents += value;
    paymentTypes.set(String(payment.payment_type), entry);
    if (!orders.has(String(payment.order_id))) paymentsUnknownOrder += 1;
  }

  const quarantineByReason: Record<string, number> = {};
  const quarantineBySource: Record<string, Record<string, number>> = {};
  for (const truth of fileTruths.values()) {
    for (const [reason, count] of Object.entries(truth.quarantined)) {
      bump(quarantineByReason, reason, count);
      quarantineBySource[truth.source] ??= {};
      bump(quarantineBySource[truth.source] as Record<string, number>, reason, count);
    }
  }

  const countVersions = (versions: Map<string, Version[]>) => ({
    keys: versions.size,
    versions: [...versions.values()].reduce((sum, list) => sum + list.length, 0),
    keys_with_history: [...versions.values()].filter((list) => list.length > 1).length,
  });

  const truth = {
    definitions: "docs/semantics.md",
    batch_dates: days.map((day) => day.batchDate),
    files: sortedRecord(fileTruths.entries()),
    totals: {
      files: fileTruths.size,
      rows_read: [...fileTruths.values()].reduce((sum, truth) => sum + truth.rows_read, 0),
      exact_duplicates: [...fileTruths.values()].reduce((sum, truth) => sum + truth.exact_duplicates, 0),
      superseded: [...fileTruths.values()].reduce((sum, truth) => sum + truth.superseded, 0),
    },
    gated: days.flatMap((day) => day.gated),
    quarantine: {
      by_reason: sortedRecord(Object.entries(quarantineByReason)),
      by_source: quarantineBySource,
    },
    entities: {
      customers: customers.size,
      products: productIds.size,
      sellers: sellers.size,
      orders: orders.size,
      order_items: items.size,
      payments: payments.size,
      category_translation: translations.size,
    },
    scd2: { dim_customer: countVersions(personVersions), dim_product: countVersions(productVersions) },
    star: {
      dim_customer: countVersions(personVersions).versions,
      dim_product: countVersions(productVersions).versions,
      dim_seller: sellers.size,
      fact_sales: items.size,
      fact_orders: orders.size,
      fact_payments: payments.size,
      unknown_members: {
        fact_sales_unknown_order: itemsUnknownOrder,
        fact_sales_unknown_product: itemsUnknownProduct,
        fact_sales_unknown_customer: itemsUnknownCustomer,
        fact_orders_unknown_customer: ordersUnknownCustomer,
        fact_payments_unknown_order: paymentsUnknownOrder,
      },
    },
    revenue_by_month: sortedRecord([...revenueByMonth].map(([month, value]) => [month, centsText(value)])),
    revenue_by_category: sortedRecord(
      [...revenueByCategory].map(([category, value]) => [category, centsText(value)]),
    ),
    orders_by_status: sortedRecord(ordersByStatus.entries()),
    payments: {
      count: payments.size,
      total: centsText(paymentCents),
      by_type: sortedRecord(
        [...paymentTypes].map(([type, entry]) => [
          type,
          { count: entry.count, total: centsText(entry.cents) },
        ]),
      ),
    },
  };
  return { truth, days };
};

export type Truth = ReturnType<typeof computeTruth>["truth"];
