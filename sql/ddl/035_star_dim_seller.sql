-- star.dim_seller: the latest observation per seller (type 1).
-- Grain: one row per seller; key: seller_key = hash of seller_id.
CREATE TABLE IF NOT EXISTS star.dim_seller (
    seller_key BIGINT NOT NULL ENCODE AZ64,
    seller_id VARCHAR(64) NOT NULL ENCODE RAW,
    zip_code_prefix VARCHAR(16) ENCODE ZSTD,
    city VARCHAR(256) ENCODE ZSTD,
    state VARCHAR(16) ENCODE ZSTD,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE ALL
SORTKEY (seller_id);
