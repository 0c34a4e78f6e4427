import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import type { Row } from "../../src/ports/warehouse.js";
import { loadProgress } from "../../src/warehouse/load-progress.js";
import { publish } from "./support/curated-runs.js";
import { cents, expectedRows, type GeneratedRuns, generatedRuns, money } from "./support/generated.js";
import { LOCAL_SETTINGS, openWarehouse, tempDir } from "./support/warehouse.js";

/**
 * The generator's dataset (2,000 orders, seed 7; 14 days across a month boundary so that month-over-month growth
 * has something to compare) loaded day by day through the DuckDB adapter and the real SQL: the star schema and
 * the analytics views must match the generator's expected truth exactly.
 */
let data: GeneratedRuns;
let warehouse: DuckDbWarehouse;
const count = async (sql: string): Promise<number> => Number((await warehouse.query(sql))[0]?.n);
const monthOf = (row: Row, column = "month_start") => String(row[column]).slice(0, 7);

beforeAll(async () => {
  data = await generatedRuns({ orders: 2000, seed: 7, days: 14, startDate: "2017-01-25" });
  const loadDir = await tempDir("load");
  warehouse = await openWarehouse(loadDir);
  await warehouse.migrate(LOCAL_SETTINGS);
  for (const run of data.runs) {
    const keys = await publish(run, loadDir);
    expect(loadProgress(await warehouse.loadHistory(run.runId), keys).complete).toBe(true);
    await warehouse.merge(run.runId, run.objects);
  }
}, 180_000);
afterAll(() => warehouse.close());

describe("the star schema matches the expected truth", () => {
  it("row counts of every table the truth counts", async () => {
    const { star } = data.truth;
    expect({
      dim_customer: await count("SELECT count(*) AS n FROM star.dim_customer"),
      dim_product: await count("SELECT count(*) AS n FROM star.dim_product"),
      dim_seller: await count("SELECT count(*) AS n FROM star.dim_seller"),
      fact_sales: await count("SELECT count(*) AS n FROM star.fact_sales"),
      fact_orders: await count("SELECT count(*) AS n FROM star.fact_orders"),
      fact_payments: await count("SELECT count(*) AS n FROM star.fact_payments"),
    }).toEqual({
      dim_customer: star.dim_customer,
      dim_product: star.dim_product,
      dim_seller: star.dim_seller,
      fact_sales: star.fact_sales,
      fact_orders: star.fact_orders,
      fact_payments: star.fact_payments,
    });
  });

  it("SCD2 keys, versions and keys with history", async () => {
    const versions = async (table: string, key: string) => {
      const [row] = await warehouse.query(
        `SELECT count(*) AS keys, sum(n) AS versions, sum(CASE WHEN n > 1 THEN 1 ELSE 0 END) AS keys_with_history
         FROM (SELECT ${key}, count(*) AS n FROM ${table} GROUP BY ${key}) AS per_key`,
      );
      return {
        keys: Number(row?.keys),
        versions: Number(row?.versions),
        keys_with_history: Number(row?.keys_with_history),
      };
    };
    expect({
      dim_customer: await versions("star.dim_customer", "customer_unique_id"),
      dim_product: await versions("star.dim_product", "product_id"),
    }).toEqual(data.truth.scd2);
    expect(data.truth.scd2.dim_customer.keys_with_history).toBeGreaterThan(0);
    expect(data.truth.scd2.dim_product.keys_with_history).toBeGreaterThan(0);
  });

  it("unknown members", async () => {
    expect({
      fact_sales_unknown_order: await count("SELECT count(*) AS n FROM star.fact_sales WHERE date_key = -1"),
      fact_sales_unknown_product: await count(
        "SELECT count(*) AS n FROM star.fact_sales WHERE product_key = -1",
      ),
      fact_sales_unknown_customer: await count(
        "SELECT count(*) AS n FROM star.fact_sales WHERE customer_key = -1",
      ),
      fact_orders_unknown_customer: await count(
        "SELECT count(*) AS n FROM star.fact_orders WHERE customer_key = -1",
      ),
      fact_payments_unknown_order: await count(
        "SELECT count(*) AS n FROM star.fact_payments WHERE date_key = -1",
      ),
    }).toEqual(data.truth.star.unknown_members);
  });

  it("distinct natural keys per entity in core", async () => {
    expect({
      customers: await count("SELECT count(DISTINCT customer_id) AS n FROM core.customers"),
      products: await count("SELECT count(DISTINCT product_id) AS n FROM core.products"),
      sellers: await count("SELECT count(DISTINCT seller_id) AS n FROM core.sellers"),
      orders: await count("SELECT count(DISTINCT order_id) AS n FROM core.orders"),
      order_items: await count(
        "SELECT count(*) AS n FROM (SELECT DISTINCT order_id, order_item_id FROM core.order_items) AS k",
      ),
      payments: await count(
        "SELECT count(*) AS n FROM (SELECT DISTINCT order_id, payment_sequential FROM core.payments) AS k",
      ),
      category_translation: await count(
        "SELECT count(DISTINCT category_name) AS n FROM core.category_translation",
      ),
    }).toEqual(data.truth.entities);
  });

  it("orders per status", async () => {
    const rows = await warehouse.query(
      "SELECT order_status, count(*) AS n FROM star.fact_orders GROUP BY order_status ORDER BY order_status",
    );
    expect(Object.fromEntries(rows.map((row) => [row.order_status, row.n]))).toEqual(
      data.truth.orders_by_status,
    );
  });

  it("post-load checks find no structural problem", async () => {
    const report = await warehouse.runChecks(data.runs[0]?.runId ?? "", { entities: {} });
    const structural = report.results.filter(
      (r) => r.check !== "reconciliation" && r.check !== "unknown_members",
    );
    expect(structural.length).toBe(13);
    expect(structural.filter((r) => r.status !== "pass")).toEqual([]);
  });

  it("a fact dated outside the calendar (year 9999) is a date_coverage warning, not silence", async () => {
    const [row] = await warehouse.query(
      "SELECT min(order_id) AS id FROM star.fact_orders WHERE date_key <> -1",
    );
    const id = String(row?.id);
    const [before] = await warehouse.query(`SELECT date_key FROM star.fact_orders WHERE order_id = '${id}'`);
    await warehouse.query(`UPDATE star.fact_orders SET date_key = 99991231 WHERE order_id = '${id}'`);
    try {
      const report = await warehouse.runChecks(data.runs[0]?.runId ?? "", { entities: {} });
      const coverage = report.results.filter((r) => r.check === "date_coverage");
      expect(coverage.map((r) => [r.subject, r.status, r.observed])).toEqual([
        ["fact_sales.date_key", "pass", "0"],
        ["fact_orders.date_key", "warn", "1"],
        ["fact_payments.date_key", "pass", "0"],
      ]);
    } finally {
      await warehouse.query(
        `UPDATE star.fact_orders SET date_key = ${Number(before?.date_key)} WHERE order_id = '${id}'`,
      );
    }
  });
});

describe("the analytics views match the expected truth", () => {
  it("monthly revenue, with month-over-month growth", async () => {
    const rows = await warehouse.query("SELECT * FROM analytics.monthly_revenue ORDER BY month_start");
    const months = Object.entries(data.truth.revenue_by_month);
    expect(months.length).toBe(2);
    expect(rows.map((row) => [monthOf(row), money(cents(row.revenue))])).toEqual(months);
    const [first, second] = months.map(([, revenue]) => cents(revenue)) as [bigint, bigint];
    // growth = (second - first) / first, to 4 decimals, half away from zero
    const scaled = ((second - first) * 100_000n) / first;
    const rounded = (scaled + (scaled >= 0n ? 5n : -5n)) / 10n;
    expect(
      rows.map((row) => [
        row.previous_month_revenue === null ? null : money(cents(row.previous_month_revenue)),
        row.mom_growth,
      ]),
    ).toEqual([
      [null, null],
      [money(first), Number(rounded) / 10_000],
    ]);
  });

  it("category leaders: revenue per category (as versioned at purchase) adds up to the truth's, one leader a month", async () => {
    const rows = await warehouse.query(
      "SELECT * FROM analytics.category_leaders ORDER BY month_start, revenue_rank",
    );
    const byCategory = new Map<string, bigint>();
    for (const row of rows) {
      const name = String(row.category_name);
      byCategory.set(name, (byCategory.get(name) ?? 0n) + cents(row.revenue));
    }
    expect(Object.fromEntries([...byCategory].map(([name, value]) => [name, money(value)]).sort())).toEqual(
      data.truth.revenue_by_category,
    );
    for (const month of Object.keys(data.truth.revenue_by_month)) {
      const ofMonth = rows.filter((row) => monthOf(row) === month);
      const top = ofMonth.map((row) => cents(row.revenue)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))[0];
      const leaders = ofMonth.filter((row) => row.is_leader);
      expect(leaders.length).toBe(1);
      expect(cents(leaders[0]?.revenue)).toBe(top);
    }
  });

  it("daily sales by state add up to the monthly revenue", async () => {
    const rows = await warehouse.query("SELECT * FROM analytics.daily_sales_by_state");
    const byMonth = new Map<string, bigint>();
    for (const row of rows) {
      const month = monthOf(row, "sale_date");
      byMonth.set(month, (byMonth.get(month) ?? 0n) + cents(row.revenue));
    }
    expect(Object.fromEntries([...byMonth].map(([month, value]) => [month, money(value)]).sort())).toEqual(
      data.truth.revenue_by_month,
    );
    expect(new Set(rows.map((row) => row.customer_state))).toContain("(unknown)");
  });

  it("payment mix", async () => {
    const rows = await warehouse.query("SELECT * FROM analytics.payment_mix ORDER BY payment_type");
    const { payments } = data.truth;
    expect(
      Object.fromEntries(
        rows.map((row) => [row.payment_type, { count: row.payments, total: money(cents(row.total_value)) }]),
      ),
    ).toEqual(payments.by_type);
    expect(money(rows.reduce((sum, row) => sum + cents(row.total_value), 0n))).toBe(payments.total);
    expect(rows.reduce((sum, row) => sum + Number(row.payments), 0)).toBe(payments.count);
  });

  it("delivery performance per month: delivered and late orders, day totals (calendar days)", async () => {
    // Final orders = latest row per order over every day's curated rows (docs/semantics.md).
    const latest = new Map<string, Record<string, string | number | null>>();
    for (const run of data.runs) {
      for (const row of await expectedRows(data.dir, "orders", run.day)) {
        const key = String(row.order_id);
        const current = latest.get(key);
        // (effective_at, _source_file, _source_line), zero-padded so that text order is the tuple order
        const order = (r: Record<string, unknown>) =>
          `${r.effective_at}\u0000${r._source_file}\u0000${String(r._source_line).padStart(9, "0")}`;
        if (!current || order(row) > order(current)) latest.set(key, row);
      }
    }
    const day = (timestamp: unknown) =>
      Date.parse(`${String(timestamp).slice(0, 10)}T00:00:00Z`) / 86_400_000;
    const expected = new Map<string, { delivered: number; late: number; delivery: number; delay: number }>();
    for (const order of latest.values()) {
      if (order.delivered_customer_at === null) continue;
      const month = String(order.purchased_at).slice(0, 7);
      const entry = expected.get(month) ?? { delivered: 0, late: 0, delivery: 0, delay: 0 };
      const delay = day(order.delivered_customer_at) - day(order.estimated_delivery_at);
      entry.delivered += 1;
      entry.late += delay > 0 ? 1 : 0;
      entry.delivery += day(order.delivered_customer_at) - day(order.purchased_at);
      entry.delay += delay;
      expected.set(month, entry);
    }
    const rows = await warehouse.query("SELECT * FROM analytics.delivery_performance");
    const observed = new Map<string, { delivered: number; late: number; delivery: number; delay: number }>();
    for (const row of rows) {
      const month = monthOf(row);
      const entry = observed.get(month) ?? { delivered: 0, late: 0, delivery: 0, delay: 0 };
      entry.delivered += Number(row.delivered_orders);
      entry.late += Number(row.late_orders);
      entry.delivery += Number(row.total_delivery_days);
      entry.delay += Number(row.total_delay_days);
      observed.set(month, entry);
      expect(Number(row.late_rate)).toBeCloseTo(Number(row.late_orders) / Number(row.delivered_orders), 4);
    }
    expect(Object.fromEntries([...observed].sort())).toEqual(Object.fromEntries([...expected].sort()));
  });
});
