-- ops.load_audit, money with 4 decimals: rebuilds the table with the money sums as DECIMAL(38, 4) (the sums of
-- DECIMAL(18, 4) money a merge took from staging, exact, as Redshift's SUM returns them; they were DECIMAL(18, 2),
-- which would round the sum of 4-decimal values), its columns, keys and order otherwise as 060 made them.
-- Redshift cannot change a DECIMAL column's type: the table is copied into a new one (a deep copy, which keeps the
-- columns in place, NOT NULL without a default, and the keys), the old one dropped and the new one renamed, in one
-- transaction that holds the table's lock (a merge waits, then sees the rebuilt table). Views that read the table
-- were dropped by 132; the runner creates them again after the ddl migrations. The new table gets the runtime's
-- privileges (the default privileges of 073 grant them too).
LOCK ops.load_audit;
CREATE TABLE ops.load_audit_rebuilt (
    run_id VARCHAR(128) NOT NULL ENCODE RAW,
    entity_name VARCHAR(128) NOT NULL ENCODE ZSTD,
    source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    rows_loaded BIGINT NOT NULL ENCODE AZ64,
    unit_price_sum DECIMAL(38, 4) ENCODE AZ64,
    freight_value_sum DECIMAL(38, 4) ENCODE AZ64,
    payment_value_sum DECIMAL(38, 4) ENCODE AZ64,
    merged_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE EVEN
SORTKEY (run_id);
INSERT INTO ops.load_audit_rebuilt (
    run_id,
    entity_name,
    source_file,
    rows_loaded,
    unit_price_sum,
    freight_value_sum,
    payment_value_sum,
    merged_at
)
SELECT
    run_id,
    entity_name,
    source_file,
    rows_loaded,
    unit_price_sum,
    freight_value_sum,
    payment_value_sum,
    merged_at
FROM ops.load_audit;
DROP TABLE ops.load_audit;
ALTER TABLE ops.load_audit_rebuilt RENAME TO load_audit;
GRANT SELECT, INSERT, UPDATE, DELETE ON ops.load_audit TO ROLE pipeline_runtime;
