-- core.products: every observed product row, never updated.
-- Grain: one row per observation; key: (product_id, effective_at, _source_file, _source_line, attr_hash).
-- attr_hash = MD5 of the SCD2 attributes (category_name, name_length, description_length, photos_qty,
-- weight_g, length_cm, height_cm, width_cm).
CREATE TABLE IF NOT EXISTS core.products (
    product_id VARCHAR(64) NOT NULL ENCODE RAW,
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
    attr_hash CHAR(32) NOT NULL ENCODE ZSTD,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTKEY (product_id)
COMPOUND SORTKEY (product_id, effective_at);
