-- staging.customers: curated rows as published to the load bucket; target of COPY JOB staging_customers.
-- Grain: one row per curated row of a run; key: (customer_id, _run_id).
-- Columns are the curated Parquet columns in file order (COPY maps them by position). Cleared per run by the merge.
CREATE TABLE IF NOT EXISTS staging.customers (
    customer_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    customer_unique_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    zip_code_prefix VARCHAR(16) ENCODE ZSTD,
    city VARCHAR(256) ENCODE ZSTD,
    state VARCHAR(16) ENCODE ZSTD,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE EVEN;
