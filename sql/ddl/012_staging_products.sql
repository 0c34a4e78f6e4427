-- staging.products: curated rows as published to the load bucket; target of COPY JOB staging_products.
-- Grain: one row per curated row of a run; key: (product_id, _run_id).
-- Columns are the curated Parquet columns in file order (COPY maps them by position). Cleared per run by the merge.
CREATE TABLE IF NOT EXISTS staging.products (
    product_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    product_name VARCHAR(512) ENCODE ZSTD,
    category_name VARCHAR(256) ENCODE ZSTD,
    category_name_english VARCHAR(256) ENCODE ZSTD,
    name_length INTEGER ENCODE AZ64,
    description_length INTEGER ENCODE AZ64,
    photos_qty INTEGER ENCODE AZ64,
    weight_g DECIMAL(10, 2) ENCODE AZ64,
    length_cm DECIMAL(10, 2) ENCODE AZ64,
    height_cm DECIMAL(10, 2) ENCODE AZ64,
    width_cm DECIMAL(10, 2) ENCODE AZ64,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE EVEN;
