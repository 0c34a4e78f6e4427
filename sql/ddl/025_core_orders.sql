-- core.orders: the latest row per order over all runs.
-- Grain: one row per order; key: order_id. Latest = greatest (effective_at, _source_file, _source_line, row_hash).
-- row_hash = MD5 of the entity columns (the last tie-break, so that the winner never depends on arrival order).
CREATE TABLE IF NOT EXISTS core.orders (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    customer_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    status VARCHAR(32) NOT NULL ENCODE ZSTD,
    purchased_at TIMESTAMP NOT NULL ENCODE AZ64,
    approved_at TIMESTAMP ENCODE AZ64,
    delivered_carrier_at TIMESTAMP ENCODE AZ64,
    delivered_customer_at TIMESTAMP ENCODE AZ64,
    estimated_delivery_at TIMESTAMP ENCODE AZ64,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    row_hash CHAR(32) NOT NULL ENCODE ZSTD,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTKEY (order_id)
COMPOUND SORTKEY (order_id);
