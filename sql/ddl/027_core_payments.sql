-- core.payments: the latest row per payment over all runs.
-- Grain: one row per payment; key: (order_id, payment_sequential).
-- Latest = greatest (effective_at, _source_file, _source_line, row_hash); row_hash = MD5 of the entity columns.
CREATE TABLE IF NOT EXISTS core.payments (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    payment_sequential INTEGER NOT NULL ENCODE AZ64,
    payment_type VARCHAR(32) NOT NULL ENCODE ZSTD,
    installments INTEGER ENCODE AZ64,
    payment_value DECIMAL(12, 2) NOT NULL ENCODE AZ64,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    row_hash CHAR(32) NOT NULL ENCODE ZSTD,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTKEY (order_id)
COMPOUND SORTKEY (order_id, payment_sequential);
