-- star.fact_orders, money with 4 decimals: rebuilds the table with the order's totals (items_revenue,
-- freight_total, payments_total: sums of 4-decimal money, exact) as DECIMAL(18, 4) (src/contracts/entities.ts,
-- MONEY_TYPE; they were DECIMAL(14, 2)), its columns, keys and order otherwise as 041 made them.
-- Redshift cannot change a DECIMAL column's type: the table is copied into a new one (a deep copy, which keeps the
-- columns in place, NOT NULL without a default, and the keys), the old one dropped and the new one renamed, in one
-- transaction that holds the table's lock (a merge waits, then sees the rebuilt table). Views that read the table
-- were dropped by 132; the runner creates them again after the ddl migrations. The new table gets the runtime's
-- privileges (the default privileges of 073 grant them too).
LOCK star.fact_orders;
CREATE TABLE star.fact_orders_rebuilt (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    date_key INTEGER NOT NULL ENCODE RAW,
    customer_key BIGINT NOT NULL ENCODE AZ64,
    order_status VARCHAR(32) NOT NULL ENCODE ZSTD,
    purchased_at TIMESTAMP NOT NULL ENCODE AZ64,
    approved_at TIMESTAMP ENCODE AZ64,
    delivered_carrier_at TIMESTAMP ENCODE AZ64,
    delivered_customer_at TIMESTAMP ENCODE AZ64,
    estimated_delivery_at TIMESTAMP ENCODE AZ64,
    item_count INTEGER NOT NULL ENCODE AZ64,
    items_revenue DECIMAL(18, 4) NOT NULL ENCODE AZ64,
    freight_total DECIMAL(18, 4) NOT NULL ENCODE AZ64,
    payments_total DECIMAL(18, 4) NOT NULL ENCODE AZ64,
    delivery_days INTEGER ENCODE AZ64,
    delay_days INTEGER ENCODE AZ64,
    is_late BOOLEAN
)
DISTKEY (order_id)
COMPOUND SORTKEY (date_key, order_id);
INSERT INTO star.fact_orders_rebuilt (
    order_id,
    date_key,
    customer_key,
    order_status,
    purchased_at,
    approved_at,
    delivered_carrier_at,
    delivered_customer_at,
    estimated_delivery_at,
    item_count,
    items_revenue,
    freight_total,
    payments_total,
    delivery_days,
    delay_days,
    is_late
)
SELECT
    order_id,
    date_key,
    customer_key,
    order_status,
    purchased_at,
    approved_at,
    delivered_carrier_at,
    delivered_customer_at,
    estimated_delivery_at,
    item_count,
    items_revenue,
    freight_total,
    payments_total,
    delivery_days,
    delay_days,
    is_late
FROM star.fact_orders;
DROP TABLE star.fact_orders;
ALTER TABLE star.fact_orders_rebuilt RENAME TO fact_orders;
GRANT SELECT, INSERT, UPDATE, DELETE ON star.fact_orders TO ROLE pipeline_runtime;
