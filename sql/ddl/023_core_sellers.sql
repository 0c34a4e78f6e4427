-- core.sellers: every observed seller row, never updated (the star keeps only the latest: type 1).
-- Grain: one row per observation; key: (seller_id, effective_at, _source_file, _source_line, attr_hash).
-- attr_hash = MD5 of (zip_code_prefix, city, state).
CREATE TABLE IF NOT EXISTS core.sellers (
    seller_id VARCHAR(64) NOT NULL ENCODE RAW,
    zip_code_prefix VARCHAR(16) ENCODE ZSTD,
    city VARCHAR(256) ENCODE ZSTD,
    state VARCHAR(16) ENCODE ZSTD,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    attr_hash CHAR(32) NOT NULL ENCODE ZSTD,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE ALL
COMPOUND SORTKEY (seller_id, effective_at);
