-- star.fact_payments, money with 4 decimals: rebuilds the table with payment_value as DECIMAL(18, 4)
-- (src/contracts/entities.ts, MONEY_TYPE; it was DECIMAL(12, 2)), its columns, keys and order otherwise as 042
-- made them.
-- Redshift cannot change a DECIMAL column's type: the table is copied into a new one (a deep copy, which keeps the
-- columns in place, NOT NULL without a default, and the keys), the old one dropped and the new one renamed, in one
-- transaction that holds the table's lock (a merge waits, then sees the rebuilt table). Views that read the table
-- were dropped by 132; the runner creates them again after the ddl migrations. The new table gets the runtime's
-- privileges (the default privileges of 073 grant them too).
LOCK star.fact_payments;
CREATE TABLE star.fact_payments_rebuilt (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    payment_sequential INTEGER NOT NULL ENCODE AZ64,
    date_key INTEGER NOT NULL ENCODE RAW,
    customer_key BIGINT NOT NULL ENCODE AZ64,
    payment_type_key BIGINT NOT NULL ENCODE AZ64,
    installments INTEGER ENCODE AZ64,
    payment_value DECIMAL(18, 4) NOT NULL ENCODE AZ64
)
DISTKEY (order_id)
COMPOUND SORTKEY (date_key, order_id);
INSERT INTO star.fact_payments_rebuilt (
    order_id,
    payment_sequential,
    date_key,
    customer_key,
    payment_type_key,
    installments,
    payment_value
)
SELECT
    order_id,
    payment_sequential,
    date_key,
    customer_key,
    payment_type_key,
    installments,
    payment_value
FROM star.fact_payments;
DROP TABLE star.fact_payments;
ALTER TABLE star.fact_payments_rebuilt RENAME TO fact_payments;
GRANT SELECT, INSERT, UPDATE, DELETE ON star.fact_payments TO ROLE pipeline_runtime;
