-- ops.load_audit: what each merge took from staging, written inside the merge before staging is cleared.
-- Grain: one row per (run_id, entity_name, source_file); entity_name names the staging table.
-- Money sums are null for tables without that column.
CREATE TABLE IF NOT EXISTS ops.load_audit (
    run_id VARCHAR(128) NOT NULL ENCODE RAW,
    entity_name VARCHAR(128) NOT NULL ENCODE ZSTD,
    source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    rows_loaded BIGINT NOT NULL ENCODE AZ64,
    unit_price_sum DECIMAL(18, 2) ENCODE AZ64,
    freight_value_sum DECIMAL(18, 2) ENCODE AZ64,
    payment_value_sum DECIMAL(18, 2) ENCODE AZ64,
    merged_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE EVEN
SORTKEY (run_id);
