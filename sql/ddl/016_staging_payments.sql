-- staging.payments: curated rows as published to the load bucket; target of COPY JOB staging_payments.
-- Grain: one row per curated row of a run; key: (order_id, payment_sequential, _run_id).
-- Columns are the curated Parquet columns in file order (COPY maps them by position). Cleared per run by the merge.
CREATE TABLE IF NOT EXISTS staging.payments (
    order_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    payment_sequential INTEGER NOT NULL ENCODE AZ64,
    payment_type VARCHAR(32) NOT NULL ENCODE ZSTD,
    installments INTEGER ENCODE AZ64,
    payment_value DECIMAL(12, 2) NOT NULL ENCODE AZ64,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE EVEN;
