import type { Row, SqlValue, Warehouse } from "../ports/warehouse.js";
import { moneyText, moneyUnits, normalizeMoney } from "./money.js";

/**
 * What the star schema holds, in the shape of the generator's expected truth (docs/semantics.md):
 * rows per star table (without a dimension's unknown-member row -1), unknown members, revenue by month and category, orders by status, payments.
 * Read through the analytics views where one answers the question.
 */
export interface StarSnapshot {
  readonly star: {
    readonly dim_customer: number;
    readonly dim_product: number;
    readonly dim_seller: number;
    readonly fact_sales: number;
    readonly fact_orders: number;
    readonly fact_payments: number;
    readonly unknown_members: {
      readonly fact_sales_unknown_order: number;
      readonly fact_sales_unknown_product: number;
      readonly fact_sales_unknown_customer: number;
      readonly fact_orders_unknown_customer: number;
      readonly fact_payments_unknown_order: number;
    };
  };
  readonly revenue_by_month: Record<string, string>;
  readonly revenue_by_category: Record<string, string>;
  readonly orders_by_status: Record<string, number>;
  readonly payments: {
    readonly count: number;
    readonly total: string;
    readonly by_type: Record<string, { count: number; total: string }>;
  };
}

const COUNTS = `
SELECT 'dim_customer' AS name, COUNT(*) AS n FROM star.dim_customer WHERE customer_key <> -1
UNION ALL SELECT 'dim_product', COUNT(*) FROM star.dim_product WHERE product_key <> -1
UNION ALL SELECT 'dim_seller', COUNT(*) FROM star.dim_seller WHERE seller_key <> -1
UNION ALL SELECT 'fact_sales', COUNT(*) FROM star.fact_sales
UNION ALL SELECT 'fact_orders', COUNT(*) FROM star.fact_orders
UNION ALL SELECT 'fact_payments', COUNT(*) FROM star.fact_payments
UNION ALL SELECT 'fact_sales_unknown_order', COUNT(*) FROM star.fact_sales WHERE date_key = -1
UNION ALL SELECT 'fact_sales_unknown_product', COUNT(*) FROM star.fact_sales WHERE product_key = -1
UNION ALL SELECT 'fact_sales_unknown_customer', COUNT(*) FROM star.fact_sales WHERE customer_key = -1
UNION ALL SELECT 'fact_orders_unknown_customer', COUNT(*) FROM star.fact_orders WHERE customer_key = -1
UNION ALL SELECT 'fact_payments_unknown_order', COUNT(*) FROM star.fact_payments WHERE date_key = -1`;

const REVENUE_BY_MONTH = `
SELECT CAST(month_start AS VARCHAR(10)) AS month, revenue
FROM analytics.monthly_revenue ORDER BY month_start`;

const REVENUE_BY_CATEGORY = `
SELECT category_name, SUM(revenue) AS revenue
FROM analytics.category_leaders GROUP BY category_name ORDER BY category_name`;

const ORDERS_BY_STATUS = `
SELECT order_status, COUNT(*) AS n FROM star.fact_orders GROUP BY order_status ORDER BY order_status`;

const PAYMENT_MIX = `
SELECT payment_type, payments, total_value
FROM analytics.payment_mix ORDER BY payment_type`;

const text = (value: SqlValue | undefined): string => String(value ?? "");
const num = (value: SqlValue | undefined): number => Number(value ?? 0);
/** Money exactly as the warehouse holds it (4 decimals), written with at least 2: "12.30", "0.003". */
const money = (value: SqlValue | undefined): string =>
  normalizeMoney(typeof value === "boolean" ? undefined : value);

const sorted = <T>(entries: [string, T][]): Record<string, T> =>
  Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Reads the star schema's snapshot.
 *
 * @example
 *   const snapshot = await starSnapshot(warehouse);
 *   snapshot.revenue_by_month["2017-01"]; // "12345.67"
 */
export const starSnapshot = async (warehouse: Pick<Warehouse, "query">): Promise<StarSnapshot> => {
  const counts = Object.fromEntries(
    (await warehouse.query(COUNTS)).map((row) => [text(row.name), num(row.n)]),
  );
  const mix = await warehouse.query(PAYMENT_MIX);
  const paid = mix.reduce((sum, row) => sum + moneyUnits(money(row.total_value)), 0n);
  return {
    star: {
      dim_customer: counts.dim_customer ?? 0,
      dim_product: counts.dim_product ?? 0,
      dim_seller: counts.dim_seller ?? 0,
      fact_sales: counts.fact_sales ?? 0,
      fact_orders: counts.fact_orders ?? 0,
      fact_payments: counts.fact_payments ?? 0,
      unknown_members: {
        fact_sales_unknown_order: counts.fact_sales_unknown_order ?? 0,
        fact_sales_unknown_product: counts.fact_sales_unknown_product ?? 0,
        fact_sales_unknown_customer: counts.fact_sales_unknown_customer ?? 0,
        fact_orders_unknown_customer: counts.fact_orders_unknown_customer ?? 0,
        fact_payments_unknown_order: counts.fact_payments_unknown_order ?? 0,
      },
    },
    revenue_by_month: sorted(
      (await warehouse.query(REVENUE_BY_MONTH)).map((row) => [
        text(row.month).slice(0, 7),
        money(row.revenue),
      ]),
    ),
    revenue_by_category: sorted(
      (await warehouse.query(REVENUE_BY_CATEGORY)).map((row) => [
        text(row.category_name),
        money(row.revenue),
      ]),
    ),
    orders_by_status: sorted(
      (await warehouse.query(ORDERS_BY_STATUS)).map((row) => [text(row.order_status), num(row.n)]),
    ),
    payments: {
      count: mix.reduce((sum, row) => sum + num(row.payments), 0),
      total: moneyText(paid),
      by_type: sorted(
        mix.map((row) => [
          text(row.payment_type),
          { count: num(row.payments), total: money(row.total_value) },
        ]),
      ),
    },
  };
};

/** Every table of the star schema, whole and sorted: two snapshots are equal iff the tables are. */
export const starTables = async (warehouse: Pick<Warehouse, "query">): Promise<Record<string, Row[]>> => {
  const tables: Record<string, string> = {
    dim_customer: "customer_unique_id, valid_from",
    dim_product: "product_id, valid_from",
    dim_seller: "seller_id",
    dim_payment_type: "payment_type",
    fact_sales: "order_id, order_item_id",
    fact_orders: "order_id",
    fact_payments: "order_id, payment_sequential",
  };
  const out: Record<string, Row[]> = {};
  for (const [table, order] of Object.entries(tables)) {
    out[table] = await warehouse.query(`SELECT * FROM star.${table} ORDER BY ${order}`);
  }
  return out;
};
