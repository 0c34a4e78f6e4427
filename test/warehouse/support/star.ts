import { createHash } from "node:crypto";
import type { Warehouse } from "../../../src/ports/warehouse.js";

export const STAR_TABLES = [
  "star.dim_customer",
  "star.dim_product",
  "star.dim_seller",
  "star.dim_payment_type",
  "star.dim_date",
  "star.fact_sales",
  "star.fact_orders",
  "star.fact_payments",
] as const;

/** Every row of a table in a canonical order (all columns). */
export const tableRows = (warehouse: Warehouse, table: string) =>
  warehouse.query(`SELECT * FROM ${table} ORDER BY ALL`);

/** A content hash and row count of every star table: equal snapshots = identical tables. */
export const starSnapshot = async (warehouse: Warehouse): Promise<Record<string, string>> => {
  const snapshot: Record<string, string> = {};
  for (const table of STAR_TABLES) {
    const rows = await tableRows(warehouse, table);
    const hash = createHash("sha256").update(JSON.stringify(rows)).digest("hex").slice(0, 16);
    snapshot[table] = `${rows.length} rows ${hash}`;
  }
  return snapshot;
};
