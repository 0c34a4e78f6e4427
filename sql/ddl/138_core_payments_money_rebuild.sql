-- core.payments, money with 4 decimals: rebuilds the table with payment_value as DECIMAL(18, 4)
-- (src/contracts/entities.ts, MONEY_TYPE; it was DECIMAL(12, 2)), its columns, keys and order otherwise as 027
-- made them.
-- Redshift cannot change a DECIMAL column's type: the table is copied into a new one (a deep copy, which keeps the
-- columns in place, NOT NULL without a default, and the keys), the old one dropped and the new one renamed, in one
-- transaction that holds the table's lock (a merge waits, then sees the rebuilt table). Views that read the table
-- were dropped by 132; the runner creates them again after the ddl migrations. The new table gets the runtime's
-- privileges (the default privileges of 073 grant them too).
LOCK core.payments;
CREATE TABLE core.payments_rebuilt (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    payment_sequential INTEGER NOT NULL ENCODE AZ64,
    payment_type VARCHAR(32) NOT NULL ENCODE ZSTD,
    installments INTEGER ENCODE AZ64,
    payment_value DECIMAL(18, 4) NOT NULL ENCODE AZ64,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    row_hash CHAR(32) NOT NULL ENCODE ZSTD,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTKEY (order_id)
COMPOUND SORTKEY (order_id, payment_sequential);
INSERT INTO core.payments_rebuilt (
    order_id,
    payment_sequential,
    payment_type,
    installments,
    payment_value,
    effective_at,
    row_hash,
    _run_id,
    _source_file,
    _source_line,
    _ingested_at
)
SELECT
    order_id,
    payment_sequential,
    payment_type,
    installments,
    payment_value,
    effective_at,
    row_hash,
    _run_id,
    _source_file,
    _source_line,
    _ingested_at
FROM core.payments;
DROP TABLE core.payments;
ALTER TABLE core.payments_rebuilt RENAME TO payments;
GRANT SELECT, INSERT, UPDATE, DELETE ON core.payments TO ROLE pipeline_runtime;
