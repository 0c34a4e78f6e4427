-- core.order_items: the latest row per order item over all runs.
-- Grain: one row per order item; key: (order_id, order_item_id).
-- Latest = greatest (effective_at, _source_file, _source_line, row_hash); row_hash = MD5 of the entity columns.
CREATE TABLE IF NOT EXISTS core.order_items (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    order_item_id INTEGER NOT NULL ENCODE AZ64,
    product_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    seller_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    shipping_limit_at TIMESTAMP ENCODE AZ64,
    quantity INTEGER NOT NULL ENCODE AZ64,
    unit_price DECIMAL(12, 2) NOT NULL ENCODE AZ64,
    freight_value DECIMAL(12, 2) NOT NULL ENCODE AZ64,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    row_hash CHAR(32) NOT NULL ENCODE ZSTD,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTKEY (order_id)
COMPOUND SORTKEY (order_id, order_item_id);
