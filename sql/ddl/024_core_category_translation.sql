-- core.category_translation: every observed category translation row, never updated.
-- Grain: one row per observation; key: (category_name, effective_at, _source_file, _source_line, attr_hash).
-- attr_hash = MD5 of (category_name_english).
CREATE TABLE IF NOT EXISTS core.category_translation (
    category_name VARCHAR(256) NOT NULL ENCODE RAW,
    category_name_english VARCHAR(256) ENCODE ZSTD,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    attr_hash CHAR(32) NOT NULL ENCODE ZSTD,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE ALL
COMPOUND SORTKEY (category_name, effective_at);
