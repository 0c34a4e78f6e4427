-- star.fact_sales, money with 4 decimals: rebuilds the table with unit_price, revenue (= quantity * unit_price,
-- kept exact: 3 x 0.001 is 0.003) and freight_value as DECIMAL(18, 4) (src/contracts/entities.ts, MONEY_TYPE; they
-- were DECIMAL(12, 2) and (14, 2)), its columns, keys and order otherwise as 040 made them.
-- Redshift cannot change a DECIMAL column's type: the table is copied into a new one (a deep copy, which keeps the
-- columns in place, NOT NULL without a default, and the keys), the old one dropped and the new one renamed, in one
-- transaction that holds the table's lock (a merge waits, then sees the rebuilt table). Views that read the table
-- were dropped by 132; the runner creates them again after the ddl migrations. The new table gets the runtime's
-- privileges (the default privileges of 073 grant them too).
LOCK star.fact_sales;
CREATE TABLE star.fact_sales_rebuilt (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    order_item_id INTEGER NOT NULL ENCODE AZ64,
    date_key INTEGER NOT NULL ENCODE RAW,
    customer_key BIGINT NOT NULL ENCODE AZ64,
    product_key BIGINT NOT NULL ENCODE AZ64,
    seller_key BIGINT NOT NULL ENCODE AZ64,
    quantity INTEGER NOT NULL ENCODE AZ64,
    unit_price DECIMAL(18, 4) NOT NULL ENCODE AZ64,
    revenue DECIMAL(18, 4) NOT NULL ENCODE AZ64,
    freight_value DECIMAL(18, 4) NOT NULL ENCODE AZ64
)
DISTKEY (order_id)
COMPOUND SORTKEY (date_key, order_id);
INSERT INTO star.fact_sales_rebuilt (
    order_id,
    order_item_id,
    date_key,
    customer_key,
    product_key,
    seller_key,
    quantity,
    unit_price,
    revenue,
    freight_value
)
SELECT
    order_id,
    order_item_id,
    date_key,
    customer_key,
    product_key,
    seller_key,
    quantity,
    unit_price,
    revenue,
    freight_value
FROM star.fact_sales;
DROP TABLE star.fact_sales;
ALTER TABLE star.fact_sales_rebuilt RENAME TO fact_sales;
GRANT SELECT, INSERT, UPDATE, DELETE ON star.fact_sales TO ROLE pipeline_runtime;
