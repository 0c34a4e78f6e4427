import { CATEGORIES, ORDER_STATUSES, PAYMENT_TYPES } from "./catalog.js";
import type { GeneratorOptions } from "./options.js";
import { drawPlaceCode, People, type Place, placeOf } from "./people.js";
import { Random } from "./random.js";
import {
  centsText,
  curatedMoneyText,
  type Defect,
  type EntityRow,
  formatTimestamp,
  type RawRow,
  SOURCE_ENTITY,
  SOURCES,
  type SourceDay,
} from "./rows.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

type Fields = Record<string, string | null>;
type Breaker = (fields: Fields, random: Random) => Defect;

const malformedRecord: Breaker = () => ({ reason: "malformed_row", column: null, malformed: true });

/** How each source's records get broken (a broken record replaces the valid one and is lost). */
const BREAKERS: Record<string, readonly Breaker[]> = {
  products: [
    (fields, random) => {
      fields.product_weight_g = random.pick(["12kg", "n/a", "1,5"]);
      return { reason: "invalid_type", column: "product_weight_g" };
    },
    malformedRecord,
  ],
  customers: [
    (fields) => {
      fields.customer_unique_id = null;
      return { reason: "missing_required", column: "customer_unique_id" };
    },
    malformedRecord,
  ],
  orders: [
    (fields, random) => {
      fields.order_purchase_timestamp = random.pick(["2017-13-05 10:11:12", "05/01/2017 10:11", "yesterday"]);
      return { reason: "invalid_type", column: "order_purchase_timestamp" };
    },
    (fields) => {
      fields.order_approved_at = "2017-02-30 25:61:00";
      return { reason: "invalid_type", column: "order_approved_at" };
    },
    (fields) => {
      fields.order_id = null;
      return { reason: "missing_required", column: "order_id" };
    },
    (fields, random) => {
      fields.order_status = random.pick(["lost", "refunded", "in_transit"]);
      return { reason: "rule_violation", column: "order_status" };
    },
    malformedRecord,
  ],
  order_items: [
    (fields, random) => {
      fields.price = random.pick(["abc", "12,50", "R$ 10.00"]);
      return { reason: "invalid_type", column: "price" };
    },
    (fields) => {
      fields.product_id = null;
      return { reason: "missing_required", column: "product_id" };
    },
    malformedRecord,
  ],
  payments: [
    (fields, random) => {
      fields.payment_value = random.pick(["N/A", "1.234,56"]);
      return { reason: "invalid_type", column: "payment_value" };
    },
    (fields) => {
      fields.payment_type = "pix";
      return { reason: "rule_violation", column: "payment_type" };
    },
    (fields) => {
      fields.order_id = null;
      return { reason: "missing_required", column: "order_id" };
    },
    malformedRecord,
  ],
};

const PAYMENT_NUMERIC: ReadonlySet<string> = new Set([
  "payment_sequential",
  "payment_installments",
  "payment_value",
]);

/** Source -> its position in SOURCES (the order of a day's files). */
const SOURCE_INDEX: Record<string, number> = Object.fromEntries(
  SOURCES.map((source, index) => [source, index]),
);

interface ProductAttributes {
  readonly category: string | null;
  readonly nameLength: number | null;
  readonly descriptionLength: number | null;
  readonly photos: number | null;
  readonly weightG: number;
  readonly lengthCm: number;
  readonly heightCm: number;
  readonly widthCm: number;
}

/**
 * Builds the logical world (sellers, products, people, orders with items and payments) and
 * emits it as raw rows per day and source, with the quirks and defects of real exports.
 * Everything is drawn from one seeded stream, in a fixed order: same options, same rows.
 */
export class WorldBuilder {
  private readonly random: Random;
  /** Day -> its source-days not yet handed out, indexed like SOURCES. */
  private readonly pending = new Map<number, (SourceDay | undefined)[]>();
  private readonly startMs: number;

  constructor(private readonly options: GeneratorOptions) {
    this.random = new Random(options.seed);
    this.startMs = Date.parse(`${options.startDate}T00:00:00Z`);
  }

  /** Day index -> the batch date's midnight (ms). */
  dayStart(day: number): number {
    return this.startMs + day * DAY_MS;
  }

  /** Every source-day, in file order (day, then source). */
  build(): SourceDay[] {
    return [...this.buildDays()].flat();
  }

  /**
   * Yields each day's source-days (in source order) as soon as the day is complete, so a caller can
   * write and drop it before the next day is built. Rows only ever land on the current or a later
   * day, so a day is complete once the orders of the following day begin. Days without rows are skipped.
   */
  *buildDays(): Generator<SourceDay[]> {
    const { orders: orderCount, days } = this.options;
    const last = days - 1;
    this.emitTranslations();
    const sellers = this.buildSellers(Math.max(5, Math.round(orderCount / 40)));
    const products = this.buildProducts(Math.max(10, Math.round(orderCount / 4)), last);
    const people = new People();
    let complete = -1;
    for (let index = 0; index < orderCount; index++) {
      const day = Math.min(last, Math.floor((index * days) / orderCount));
      for (; complete < day - 1; complete++) yield* this.release(complete + 1);
      this.buildOrder(day, last, people, products, sellers);
    }
    for (; complete < last; complete++) yield* this.release(complete + 1);
  }

  /** Hands out one day's source-days (nothing for a day without rows) and forgets them. */
  private *release(day: number): Generator<SourceDay[]> {
    const sourceDays = this.pending.get(day);
    this.pending.delete(day);
    const present = sourceDays?.filter((sourceDay): sourceDay is SourceDay => sourceDay !== undefined) ?? [];
    if (present.length > 0) yield present;
  }

  private place(): Place {
    return placeOf(drawPlaceCode(this.random));
  }

  private sourceDay(source: string, day: number): SourceDay {
    let sources = this.pending.get(day);
    if (!sources) {
      sources = new Array<SourceDay | undefined>(SOURCES.length).fill(undefined);
      this.pending.set(day, sources);
    }
    const index = SOURCE_INDEX[source] as number;
    let found = sources[index];
    if (!found) {
      found = { source, day, rows: [] };
      sources[index] = found;
    }
    return found;
  }

  /**
   * Adds one logical record to a day's file, maybe broken (then it is lost to the warehouse),
   * maybe written twice.
   */
  private emit(source: string, day: number, fields: Fields, row: EntityRow, breakable = true): boolean {
    const target = this.sourceDay(source, day).rows;
    const entity = SOURCE_ENTITY[source] as string;
    const numeric = source === "payments" ? PAYMENT_NUMERIC : undefined;
    const { rates } = this.options;
    const breakers = breakable ? BREAKERS[source] : undefined;
    if (breakers && this.random.chance(rates.malformed)) {
      const broken = { ...fields };
      const defect = this.random.pick(breakers)(broken, this.random);
      target.push({ fields: broken, defect, entity, row: null, numeric });
      return false;
    }
    const raw: RawRow = { fields, defect: null, entity, row, numeric };
    target.push(raw);
    if (this.random.chance(rates.exactDuplicate)) target.push(raw);
    return true;
  }

  private emitTranslations(): void {
    for (const [category, english] of CATEGORIES) {
      if (english === null) continue;
      this.emit(
        "category_translation",
        0,
        { product_category_name: category, product_category_name_english: english },
        {
          category_name: category,
          category_name_english: english,
          effective_at: formatTimestamp(this.dayStart(0)),
        },
      );
    }
  }

  private buildSellers(count: number): string[] {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const id = this.random.hexId();
      const place = this.place();
      ids.push(id);
      this.emit(
        "sellers",
        0,
        {
          seller_id: id,
          seller_zip_code_prefix: place.zip,
          seller_city: place.city,
          seller_state: place.state,
        },
        {
          seller_id: id,
          zip_code_prefix: place.zip,
          city: place.city,
          state: place.state.toUpperCase(),
          effective_at: formatTimestamp(this.dayStart(0)),
        },
      );
    }
    return ids;
  }

  private productAttributes(): ProductAttributes {
    const uncategorised = this.random.chance(0.02);
    const category = uncategorised ? null : this.random.pick(CATEGORIES)[0];
    return {
      category,
      nameLength: uncategorised ? null : this.random.int(5, 76),
      descriptionLength: uncategorised ? null : this.random.int(4, 3992),
      photos: uncategorised ? null : this.random.int(1, 10),
      weightG: this.random.weighted([
        [0, 1],
        [this.random.int(50, 2000), 80],
        [this.random.int(2000, 30000), 19],
      ]),
      lengthCm: this.random.int(7, 105),
      heightCm: this.random.int(2, 105),
      widthCm: this.random.int(6, 118),
    };
  }

  private emitProduct(id: string, day: number, attributes: ProductAttributes): void {
    const text = (value: number | null): string | null => (value === null ? null : String(value));
    const decimal = (value: number): string => centsText(value * 100);
    this.emit(
      "products",
      day,
      {
        product_id: id,
        product_category_name: attributes.category,
        product_name_lenght: text(attributes.nameLength),
        product_description_lenght: text(attributes.descriptionLength),
        product_photos_qty: text(attributes.photos),
        product_weight_g: String(attributes.weightG),
        product_length_cm: String(attributes.lengthCm),
        product_height_cm: String(attributes.heightCm),
        product_width_cm: String(attributes.widthCm),
      },
      {
        product_id: id,
        product_name: null,
        category_name: attributes.category,
        category_name_english: null,
        name_length: attributes.nameLength,
        description_length: attributes.descriptionLength,
        photos_qty: attributes.photos,
        weight_g: decimal(attributes.weightG),
        length_cm: decimal(attributes.lengthCm),
        height_cm: decimal(attributes.heightCm),
        width_cm: decimal(attributes.widthCm),
        effective_at: formatTimestamp(this.dayStart(day)),
        product_description: null,
      },
    );
  }

  /** Most products are in the day-0 catalogue; a few arrive late; some change later. */
  private buildProducts(count: number, last: number): string[] {
    const ids: string[] = [];
    const { rates } = this.options;
    for (let index = 0; index < count; index++) {
      const id = this.random.hexId();
      const attributes = this.productAttributes();
      const firstDay = last > 0 && this.random.chance(rates.late) ? this.random.int(1, last) : 0;
      ids.push(id);
      this.emitProduct(id, firstDay, attributes);
      if (firstDay < last && this.random.chance(rates.productChange)) {
        const changeDay = this.random.int(firstDay + 1, last);
        const changed: ProductAttributes = this.random.chance(0.5)
          ? { ...attributes, category: this.random.pick(CATEGORIES)[0] }
          : { ...attributes, weightG: attributes.weightG + this.random.int(1, 500) };
        this.emitProduct(id, changeDay, changed);
      }
    }
    return ids;
  }

  private emitCustomer(customerId: string, uniqueId: string, place: Place, day: number): void {
    this.emit(
      "customers",
      day,
      {
        customer_id: customerId,
        customer_unique_id: uniqueId,
        customer_zip_code_prefix: place.zip,
        customer_city: place.city,
        customer_state: place.state,
      },
      {
        customer_id: customerId,
        customer_unique_id: uniqueId,
        zip_code_prefix: place.zip,
        city: place.city,
        state: place.state.toUpperCase(),
        effective_at: formatTimestamp(this.dayStart(day)),
        country: null,
      },
    );
  }

  private lateDay(day: number, last: number): number {
    if (day >= last || !this.random.chance(this.options.rates.late)) return day;
    return Math.min(last, day + this.random.int(1, 3));
  }

  private buildOrder(
    day: number,
    last: number,
    people: People,
    products: readonly string[],
    sellers: readonly string[],
  ): void {
    const { rates } = this.options;
    const random = this.random;
    // The customer: a new person, or a returning one (a new customer id per order, as in Olist), who may have moved.
    const customerId = random.hexId();
    const returning = people.count > 0 && random.chance(0.04);
    let person: number;
    let uniqueId: string;
    if (returning) {
      person = random.index(people.count);
      if (random.chance(rates.customerMove * 10)) people.move(person, drawPlaceCode(random));
      uniqueId = people.uniqueId(person);
    } else {
      uniqueId = random.hexId();
      person = people.add(uniqueId, drawPlaceCode(random));
    }
    const orphanCustomer = random.chance(rates.orphan);
    if (!orphanCustomer) {
      this.emitCustomer(customerId, uniqueId, placeOf(people.placeCode(person)), this.lateDay(day, last));
      if (day < last && random.chance(rates.customerMove)) {
        // The same customer id re-sent later with a new address: a new version of the person.
        people.move(person, drawPlaceCode(random));
        this.emitCustomer(customerId, uniqueId, placeOf(people.placeCode(person)), random.int(day + 1, last));
      }
    }

    // The order.
    const purchased = this.dayStart(day) + random.int(0, DAY_MS / 1000 - 1) * 1000;
    const status = random.weighted(ORDER_STATUSES);
    const approved =
      status === "created" || random.chance(0.01) ? null : purchased + random.int(5, 48 * 60) * 60_000;
    const shippedStatuses = ["delivered", "shipped"];
    const carrier =
      shippedStatuses.includes(status) && approved !== null ? approved + random.int(1, 5) * DAY_MS : null;
    const delivered =
      status === "delivered" && carrier !== null
        ? carrier + random.int(1, 20) * DAY_MS + random.int(0, 23) * HOUR_MS
        : null;
    const estimated = this.dayStart(day) + random.int(8, 30) * DAY_MS;
    const orderId = random.hexId();
    const ts = (value: number | null): string | null => (value === null ? null : formatTimestamp(value));
    const orderFields = {
      order_id: orderId,
      customer_id: customerId,
      order_status: status,
      order_purchase_timestamp: ts(purchased),
      order_approved_at: ts(approved),
      order_delivered_carrier_date: ts(carrier),
      order_delivered_customer_date: ts(delivered),
      order_estimated_delivery_date: ts(estimated),
    };
    const orderRow: EntityRow = {
      order_id: orderId,
      customer_id: customerId,
      status,
      purchased_at: ts(purchased),
      approved_at: ts(approved),
      delivered_carrier_at: ts(carrier),
      delivered_customer_at: ts(delivered),
      estimated_delivery_at: ts(estimated),
      effective_at: ts(purchased),
    };
    const itemsLateOrderFirst = day < last && random.chance(rates.late);
    const orderDay = itemsLateOrderFirst ? Math.min(last, day + random.int(1, 2)) : day;
    if (random.chance(rates.correctedRow)) {
      // A draft of the order earlier in the same file; the later line supersedes it.
      this.emit(
        "orders",
        orderDay,
        { ...orderFields, order_status: "processing", order_approved_at: null },
        { ...orderRow, status: "processing", approved_at: null },
        false,
      );
    }
    this.emit("orders", orderDay, orderFields, orderRow);

    // Items and payments arrive with the purchase day (the order may come later).
    const itemCount = random.weighted([
      [1, 80],
      [2, 13],
      [3, 5],
      [4, 2],
    ]);
    let totalCents = 0;
    for (let item = 1; item <= itemCount; item++) {
      const productId = random.chance(rates.orphan) ? random.hexId() : random.pick(products);
      const sellerId = random.pick(sellers);
      const priceCents = random.weighted([
        [random.int(85, 9_999), 70],
        [random.int(10_000, 99_999), 28],
        [random.int(100_000, 679_999), 2],
      ]);
      const freightCents = random.chance(0.03) ? 0 : random.int(100, 9_000);
      totalCents += priceCents + freightCents;
      const shippingLimit = purchased + random.int(2, 7) * DAY_MS;
      this.emit(
        "order_items",
        day,
        {
          order_id: orderId,
          order_item_id: String(item),
          product_id: productId,
          seller_id: sellerId,
          shipping_limit_date: formatTimestamp(shippingLimit),
          price: centsText(priceCents),
          freight_value: centsText(freightCents),
        },
        {
          order_id: orderId,
          order_item_id: item,
          product_id: productId,
          seller_id: sellerId,
          shipping_limit_at: formatTimestamp(shippingLimit),
          quantity: 1,
          unit_price: curatedMoneyText(priceCents),
          freight_value: curatedMoneyText(freightCents),
          effective_at: formatTimestamp(this.dayStart(day)),
        },
      );
    }

    const payments: { type: string; installments: number; cents: number }[] = [];
    if (status === "created" && random.chance(0.5)) {
      payments.push({ type: "not_defined", installments: 1, cents: 0 });
    } else if (random.chance(0.03)) {
      const voucher = random.chance(0.2) ? 0 : Math.min(totalCents, random.int(100, 5_000));
      payments.push({ type: "voucher", installments: 1, cents: voucher });
      payments.push({ type: "credit_card", installments: random.int(1, 10), cents: totalCents - voucher });
    } else {
      const type = random.weighted(PAYMENT_TYPES);
      const installments = type === "credit_card" ? random.int(0, 10) : 1;
      payments.push({ type, installments, cents: type === "not_defined" ? 0 : totalCents });
    }
    payments.forEach((payment, index) => {
      const sequential = index + 1;
      this.emit(
        "payments",
        day,
        {
          order_id: orderId,
          payment_sequential: String(sequential),
          payment_type: payment.type,
          payment_installments: String(payment.installments),
          payment_value: centsText(payment.cents),
        },
        {
          order_id: orderId,
          payment_sequential: sequential,
          payment_type: payment.type,
          installments: payment.installments,
          payment_value: curatedMoneyText(payment.cents),
          effective_at: formatTimestamp(this.dayStart(day)),
        },
      );
    });
  }
}
