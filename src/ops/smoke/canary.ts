import type { SqlStatement } from "../../warehouse/sql-files.js";

/**
 * The canary's reserved business date: the first day of star.dim_date's calendar (2010-01-01), long before any
 * real sales, so no real file is ever filed under it and its rows never mix with real days.
 */
export const CANARY_DATE = "2010-01-01";

/** Every canary id starts with this: no real Olist id does (they are 32 hex digits). */
export const CANARY_PREFIX = "smoke-";

/** The ids one smoke run writes. */
export interface CanaryIds {
  readonly nonce: string;
  readonly customerId: string;
  /** The person (customer_unique_id): dim_customer's natural key. */
  readonly personId: string;
  readonly orderId: string;
}

/**
 * The ids of one smoke run, unique per run (time + random suffix), all under CANARY_PREFIX.
 *
 * @example
 *   canaryIds(new Date("2026-12-06T21:10:00Z"), "a1b2").orderId // "smoke-20261206211000-a1b2-o"
 */
export const canaryIds = (now: Date, suffix: string): CanaryIds => {
  if (!/^[a-z0-9]{1,16}$/.test(suffix)) throw new Error(`canary suffix must be [a-z0-9]{1,16}: ${suffix}`);
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const nonce = `${CANARY_PREFIX}${stamp}-${suffix}`;
  return { nonce, customerId: `${nonce}-c`, personId: `${nonce}-p`, orderId: `${nonce}-o` };
};

/** The ids of an earlier smoke run, from the nonce it printed (to clean up after `--keep` or a timeout). */
export const idsFromNonce = (nonce: string): CanaryIds => {
  if (!/^smoke-\d{14}-[a-z0-9]{1,16}$/.test(nonce)) throw new Error(`not a smoke nonce: ${nonce}`);
  return { nonce, customerId: `${nonce}-c`, personId: `${nonce}-p`, orderId: `${nonce}-o` };
};

/**
 * The canary file set: one customer and one order of that customer, in the shipped contracts' CSV layout, under
 * the reserved date. Both pass every error-severity rule (warnings such as freshness are expected).
 */
export const canaryFiles = (ids: CanaryIds): { key: string; body: string }[] => {
  const at = `${CANARY_DATE} 00:00:00`;
  return [
    {
      key: `customers/dt=${CANARY_DATE}/${ids.nonce}.csv`,
      body:
        "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state\n" +
        `${ids.customerId},${ids.personId},00000,smoke test,SP\n`,
    },
    {
      key: `orders/dt=${CANARY_DATE}/${ids.nonce}.csv`,
      body:
        "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at," +
        "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n" +
        `${ids.orderId},${ids.customerId},delivered,${at},${at},${at},${at},${at}\n`,
    },
  ];
};

/** What must be in the warehouse once the canary's run succeeded: its order fact, its customer version, the run. */
export const VERIFY: readonly (SqlStatement & {
  readonly expect: (count: number) => boolean;
  readonly what: string;
})[] = [
  {
    name: "smoke/fact_orders",
    sql: "SELECT COUNT(*) AS n FROM star.fact_orders WHERE order_id = :order_id AND customer_key <> -1",
    expect: (n) => n === 1,
    what: "star.fact_orders holds the canary order, joined to its customer",
  },
  {
    name: "smoke/dim_customer",
    sql: "SELECT COUNT(*) AS n FROM star.dim_customer WHERE customer_unique_id = :person_id",
    expect: (n) => n === 1,
    what: "star.dim_customer holds the canary person",
  },
  {
    name: "smoke/run_record",
    sql: "SELECT COUNT(*) AS n FROM ops.runs WHERE run_id = :run_id AND status = 'succeeded'",
    expect: (n) => n === 1,
    what: "ops.runs records the run as succeeded",
  },
];

/**
 * Removes every canary row, in one transaction: from each table of staging, core and star holding one of its
 * keys (test/ops/smoke.test.ts checks this list against the DDL). ops.runs, ops.dq_results and ops.load_audit
 * keep their history: they say a smoke run happened.
 */
export const CLEANUP: readonly SqlStatement[] = [
  { name: "smoke/staging.customers", sql: "DELETE FROM staging.customers WHERE customer_id = :customer_id" },
  { name: "smoke/staging.orders", sql: "DELETE FROM staging.orders WHERE order_id = :order_id" },
  { name: "smoke/staging.order_items", sql: "DELETE FROM staging.order_items WHERE order_id = :order_id" },
  { name: "smoke/staging.payments", sql: "DELETE FROM staging.payments WHERE order_id = :order_id" },
  { name: "smoke/core.customers", sql: "DELETE FROM core.customers WHERE customer_id = :customer_id" },
  { name: "smoke/core.orders", sql: "DELETE FROM core.orders WHERE order_id = :order_id" },
  { name: "smoke/core.order_items", sql: "DELETE FROM core.order_items WHERE order_id = :order_id" },
  { name: "smoke/core.payments", sql: "DELETE FROM core.payments WHERE order_id = :order_id" },
  {
    name: "smoke/star.dim_customer",
    sql: "DELETE FROM star.dim_customer WHERE customer_unique_id = :person_id",
  },
  { name: "smoke/star.fact_orders", sql: "DELETE FROM star.fact_orders WHERE order_id = :order_id" },
  { name: "smoke/star.fact_sales", sql: "DELETE FROM star.fact_sales WHERE order_id = :order_id" },
  { name: "smoke/star.fact_payments", sql: "DELETE FROM star.fact_payments WHERE order_id = :order_id" },
];

/** The named parameters of VERIFY and CLEANUP. */
export const canaryParams = (ids: CanaryIds, runId: string): Record<string, string> => ({
  customer_id: ids.customerId,
  person_id: ids.personId,
  order_id: ids.orderId,
  run_id: runId,
});
