-- staging.orders: curated rows as published to the load bucket; target of COPY JOB staging_orders.
-- Grain: one row per curated row of a run; key: (order_id, _run_id).
-- Columns are the curated Parquet columns in file order (COPY maps them by position). Cleared per run by the merge.
CREATE TABLE IF NOT EXISTS staging.orders (
    order_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    customer_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    status VARCHAR(32) NOT NULL ENCODE ZSTD,
    purchased_at TIMESTAMP NOT NULL ENCODE AZ64,
    approved_at TIMESTAMP ENCODE AZ64,
    delivered_carrier_at TIMESTAMP ENCODE AZ64,
    delivered_customer_at TIMESTAMP ENCODE AZ64,
    estimated_delivery_at TIMESTAMP ENCODE AZ64,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE EVEN;
