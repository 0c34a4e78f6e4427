import { Float64Column, Int32Column, TextCodes, Uint8Column } from "./columns.js";
import {
  bump,
  type CuratedRow,
  compareText,
  type DayTruth,
  type FileTruth,
  type GatedSource,
  keyText,
  truthOfDay,
} from "./day-truth.js";
import { KeyIndex } from "./key-index.js";
import { LatestByKey } from "./latest-by-key.js";
import { centsText, ENTITY_KEY, SOURCE_ENTITY, type TruthValue } from "./rows.js";
import { Scd2Versions } from "./scd2-versions.js";
import { TimestampColumn } from "./timestamps.js";
import type { RawFile } from "./write.js";

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
/** Line items and payments of one order are keyed by (order slot, number) when the number is small. */
const LINES_PER_ORDER = 32;

/**
 * "12.3000" -> 1230 (the decimal text of the curated truth; other spellings take the general path). The generator
 * writes money in cents; a value below a cent is refused rather than cut (the warehouse keeps 4 decimals).
 */
const cents = (value: TruthValue | undefined): number => {
  const text = String(value);
  const exact = /^(\d+)\.(\d\d)0*$/.exec(text);
  if (exact) return Number(exact[1]) * 100 + Number(exact[2]);
  const negative = text.startsWith("-");
  const [whole = "0", fraction = "0"] = text.replace("-", "").split(".");
  if (fraction.slice(2).replace(/0/g, "") !== "") {
    throw new RangeError(`the expected truth counts money in cents, not ${text}`);
  }
  const amount = Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
  return negative ? -amount : amount;
};

const sortedRecord = <T>(entries: Iterable<[string, T]>): Record<string, T> =>
  Object.fromEntries([...entries].sort(([a], [b]) => compareText(a, b)));

const addTo = (totals: Map<string, number>, key: string, by: number): void => {
  totals.set(key, (totals.get(key) ?? 0) + by);
};

/**
 * The expected truth, folded one day's run at a time (each `dt=` is one run): per-file counts as
 * each day runs, and for the warehouse only what the totals need of each entity's newest row per key
 * (order status and purchase time, item revenue, payment value, dimension versions, id sets).
 * What it holds grows with the number of keys, never with the rows or days already folded.
 */
export class TruthAccumulator {
  private readonly fileTruths = new Map<string, FileTruth>();
  private readonly batchDates: string[] = [];
  private readonly gated: GatedSource[] = [];
  private readonly orders = new LatestByKey();
  private readonly orderStatus = new Uint8Column(0);
  private readonly orderPurchasedAt = new TimestampColumn();
  /** Slot in `customerIds` of the order's customer. */
  private readonly orderCustomer = new Int32Column(-1);
  private readonly items = new LatestByKey();
  private readonly itemOrder = new Int32Column(-1);
  /** Slot in `productIds` of the item's product. */
  private readonly itemProduct = new Int32Column(-1);
  private readonly itemRevenue = new Float64Column(0);
  private readonly payments = new LatestByKey();
  private readonly paymentOrder = new Int32Column(-1);
  private readonly paymentType = new Uint8Column(0);
  private readonly paymentCents = new Float64Column(0);
  /** Statuses and payment types. */
  private readonly texts = new TextCodes();
  /** Every customer id met (curated, or named by an order), and which ones reach the warehouse. */
  private readonly customerIds = new KeyIndex();
  private readonly customerCurated = new Uint8Column(0);
  private customerCount = 0;
  private readonly sellers = new Set<string>();
  private readonly translations = new Set<string>();
  private readonly personVersions = new Scd2Versions("customer_unique_id", CUSTOMER_ATTRIBUTES);
  /** Every product id met (curated, or named by an item): the slots of the product versions. */
  private readonly productIds = new KeyIndex();
  private readonly productVersions = new Scd2Versions(
    "product_id",
    PRODUCT_ATTRIBUTES,
    (row) => (row.category_name === undefined ? null : (row.category_name as string | null)),
    this.productIds,
  );

  constructor(private readonly thresholds: ReadonlyMap<string, number>) {}

  /**
   * Runs one day's files (one batch date, in file order) and folds the run in. The truth does not
   * depend on the order of the day's curated rows: sorting them (by natural key) is only for callers
   * that write or compare them.
   */
  addDay(files: readonly RawFile[], sortCurated = true): DayTruth {
    const day = truthOfDay(files, this.fileTruths, this.thresholds, sortCurated);
    this.batchDates.push(day.batchDate);
    this.gated.push(...day.gated);
    // What reaches the warehouse: the run's curated rows except those of the sources the gate stopped.
    const stopped = new Set(day.gated.map((gated) => SOURCE_ENTITY[gated.source] as string));
    const reaching = (entity: string): readonly CuratedRow[] =>
      stopped.has(entity) ? [] : (day.curated.get(entity) ?? []);
    this.foldOrders(reaching("orders"));
    this.foldItems(reaching("order_items"));
    this.foldPayments(reaching("payments"));
    for (const curated of reaching("customers")) {
      const customer = this.customerIds.add(String(curated.row.customer_id));
      if (this.customerCurated.get(customer) === 0) {
        this.customerCurated.set(customer, 1);
        this.customerCount++;
      }
    }
    for (const curated of reaching("sellers"))
      this.sellers.add(keyText(ENTITY_KEY.sellers as readonly string[], curated.row));
    for (const curated of reaching("category_translation"))
      this.translations.add(keyText(ENTITY_KEY.category_translation as readonly string[], curated.row));
    this.personVersions.add(reaching("customers"));
    this.productVersions.add(reaching("products"));
    return day;
  }

  private foldOrders(rows: readonly CuratedRow[]): void {
    for (const curated of rows) {
      const { row } = curated;
      const slot = this.orders.offer(String(row.order_id), curated);
      if (slot < 0) continue;
      this.orderStatus.set(slot, this.texts.codeOf(String(row.status)));
      this.orderPurchasedAt.set(slot, String(row.purchased_at));
      this.orderCustomer.set(slot, this.customerIds.add(String(row.customer_id)));
    }
  }

  private customerKnown(customer: number): boolean {
    return customer >= 0 && this.customerCurated.get(customer) === 1;
  }

  /** (order, number) as one key: a small number when it fits, else the key text. */
  private lineKey(orderSlot: number, number: TruthValue | undefined, text: () => string): string | number {
    return typeof number === "number" && Number.isInteger(number) && number >= 0 && number < LINES_PER_ORDER
      ? orderSlot * LINES_PER_ORDER + number
      : text();
  }

  private foldItems(rows: readonly CuratedRow[]): void {
    const keyColumns = ENTITY_KEY.order_items as readonly string[];
    for (const curated of rows) {
      const { row } = curated;
      const orderSlot = this.orders.slotOf(String(row.order_id));
      const key = this.lineKey(orderSlot, row.order_item_id, () => keyText(keyColumns, row));
      const slot = this.items.offer(key, curated);
      if (slot < 0) continue;
      this.itemOrder.set(slot, orderSlot);
      this.itemProduct.set(slot, this.productIds.add(String(row.product_id)));
      this.itemRevenue.set(slot, cents(row.unit_price) * Number(row.quantity));
    }
  }

  private foldPayments(rows: readonly CuratedRow[]): void {
    const keyColumns = ENTITY_KEY.payments as readonly string[];
    for (const curated of rows) {
      const { row } = curated;
      const orderSlot = this.orders.slotOf(String(row.order_id));
      const key = this.lineKey(orderSlot, row.payment_sequential, () => keyText(keyColumns, row));
      const slot = this.payments.offer(key, curated);
      if (slot < 0) continue;
      this.paymentOrder.set(slot, orderSlot);
      this.paymentType.set(slot, this.texts.codeOf(String(row.payment_type)));
      this.paymentCents.set(slot, cents(row.payment_value));
    }
  }

  /** The truth of every day folded so far. */
  finish() {
    const revenueByMonth = new Map<string, number>();
    const revenueByCategory = new Map<string, number>();
    let itemsUnknownOrder = 0;
    let itemsUnknownProduct = 0;
    let itemsUnknownCustomer = 0;
    for (const item of this.items.heldSlots()) {
      const order = this.itemOrder.get(item);
      const orderKnown = this.orders.holds(order);
      const product = this.itemProduct.get(item);
      if (!orderKnown) itemsUnknownOrder += 1;
      if (!this.productVersions.has(product)) itemsUnknownProduct += 1;
      if (!orderKnown || !this.customerKnown(this.orderCustomer.get(order))) itemsUnknownCustomer += 1;
      if (!orderKnown || EXCLUDED_FROM_REVENUE.has(this.texts.textOf(this.orderStatus.get(order)))) continue;
      const revenue = this.itemRevenue.get(item);
      const purchasedAt = this.orderPurchasedAt.text(order);
      addTo(revenueByMonth, purchasedAt.slice(0, 7), revenue);
      const version = this.productVersions.versionAt(product, purchasedAt);
      addTo(revenueByCategory, version ? (version.kept ?? "(none)") : "(unknown)", revenue);
    }

    const ordersByStatus = new Map<string, number>();
    let ordersUnknownCustomer = 0;
    for (const order of this.orders.heldSlots()) {
      addTo(ordersByStatus, this.texts.textOf(this.orderStatus.get(order)), 1);
      if (!this.customerKnown(this.orderCustomer.get(order))) ordersUnknownCustomer += 1;
    }

    const paymentTypes = new Map<string, { count: number; cents: number }>();
    let paymentCents = 0;
    let paymentsUnknownOrder = 0;
    for (const payment of this.payments.heldSlots()) {
      const value = this.paymentCents.get(payment);
      const type = this.texts.textOf(this.paymentType.get(payment));
      paymentCents += value;
      const entry = paymentTypes.get(type) ?? { count: 0, cents: 0 };
      entry.count += 1;
      entry.cents += value;
      paymentTypes.set(type, entry);
      if (!this.orders.holds(this.paymentOrder.get(payment))) paymentsUnknownOrder += 1;
    }

    const fileTruths = [...this.fileTruths.values()];
    const quarantineByReason: Record<string, number> = {};
    const quarantineBySource: Record<string, Record<string, number>> = {};
    for (const truth of fileTruths) {
      for (const [reason, count] of Object.entries(truth.quarantined)) {
        bump(quarantineByReason, reason, count);
        quarantineBySource[truth.source] ??= {};
        bump(quarantineBySource[truth.source] as Record<string, number>, reason, count);
      }
    }

    const persons = this.personVersions.counts();
    const products = this.productVersions.counts();
    return {
      definitions: "docs/semantics.md",
      batch_dates: [...this.batchDates],
      files: sortedRecord(this.fileTruths.entries()),
      totals: {
        files: this.fileTruths.size,
        rows_read: fileTruths.reduce((sum, truth) => sum + truth.rows_read, 0),
        exact_duplicates: fileTruths.reduce((sum, truth) => sum + truth.exact_duplicates, 0),
        superseded: fileTruths.reduce((sum, truth) => sum + truth.superseded, 0),
      },
      gated: [...this.gated],
      quarantine: {
        by_reason: sortedRecord(Object.entries(quarantineByReason)),
        by_source: quarantineBySource,
      },
      entities: {
        customers: this.customerCount,
        products: products.keys,
        sellers: this.sellers.size,
        orders: this.orders.size,
        order_items: this.items.size,
        payments: this.payments.size,
        category_translation: this.translations.size,
      },
      scd2: { dim_customer: persons, dim_product: products },
      star: {
        dim_customer: persons.versions,
        dim_product: products.versions,
        dim_seller: this.sellers.size,
        fact_sales: this.items.size,
        fact_orders: this.orders.size,
        fact_payments: this.payments.size,
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
        count: this.payments.size,
        total: centsText(paymentCents),
        by_type: sortedRecord(
          [...paymentTypes].map(([type, entry]) => [
            type,
            { count: entry.count, total: centsText(entry.cents) },
          ]),
        ),
      },
    };
  }
}

export type Truth = ReturnType<TruthAccumulator["finish"]>;
