-- star.dim_customer: SCD2 over the person (customer_unique_id), built from every observation in core.customers.
-- Grain: one row per person and version; key: customer_key = hash of (customer_unique_id, valid_from, n-th version
-- starting at that instant). Validity [valid_from, valid_to); the first version is valid from 1900-01-01.
CREATE TABLE IF NOT EXISTS star.dim_customer (
    customer_key BIGINT NOT NULL ENCODE AZ64,
    customer_unique_id VARCHAR(64) NOT NULL ENCODE RAW,
    zip_code_prefix VARCHAR(16) ENCODE ZSTD,
    city VARCHAR(256) ENCODE ZSTD,
    state VARCHAR(16) ENCODE ZSTD,
    version_number INTEGER NOT NULL ENCODE AZ64,
    valid_from TIMESTAMP NOT NULL ENCODE AZ64,
    valid_to TIMESTAMP NOT NULL ENCODE AZ64,
    is_current BOOLEAN NOT NULL
)
DISTSTYLE ALL
COMPOUND SORTKEY (customer_unique_id, valid_from);
