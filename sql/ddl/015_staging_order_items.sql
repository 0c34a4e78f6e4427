-- staging.order_items: curated rows as published to the load bucket; target of COPY JOB staging_order_items.
-- Grain: one row per curated row of a run; key: (order_id, order_item_id, _run_id).
-- Columns are the curated Parquet columns in file order (COPY maps them by position). Cleared per run by the merge.
CREATE TABLE IF NOT EXISTS staging.order_items (
    order_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    order_item_id INTEGER NOT NULL ENCODE AZ64,
    product_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    seller_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    shipping_limit_at TIMESTAMP ENCODE AZ64,
    quantity INTEGER NOT NULL ENCODE AZ64,
    unit_price DECIMAL(12, 2) NOT NULL ENCODE AZ64,
    freight_value DECIMAL(12, 2) NOT NULL ENCODE AZ64,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE EVEN;
