-- star.dim_product: SCD2 over product_id, built from every observation in core.products; the English
-- category name comes from the latest translation (not versioned).
-- Grain: one row per product and version; key: product_key = hash of (product_id, valid_from, n-th version
-- starting at that instant). Validity [valid_from, valid_to); the first version is valid from 1900-01-01.
CREATE TABLE IF NOT EXISTS star.dim_product (
    product_key BIGINT NOT NULL ENCODE AZ64,
    product_id VARCHAR(64) NOT NULL ENCODE RAW,
    category_name VARCHAR(256) ENCODE ZSTD,
    category_name_english VARCHAR(256) ENCODE ZSTD,
    name_length INTEGER ENCODE AZ64,
    description_length INTEGER ENCODE AZ64,
    photos_qty INTEGER ENCODE AZ64,
    weight_g DECIMAL(10, 2) ENCODE AZ64,
    length_cm DECIMAL(10, 2) ENCODE AZ64,
    height_cm DECIMAL(10, 2) ENCODE AZ64,
    width_cm DECIMAL(10, 2) ENCODE AZ64,
    version_number INTEGER NOT NULL ENCODE AZ64,
    valid_from TIMESTAMP NOT NULL ENCODE AZ64,
    valid_to TIMESTAMP NOT NULL ENCODE AZ64,
    is_current BOOLEAN NOT NULL
)
DISTSTYLE ALL
COMPOUND SORTKEY (product_id, valid_from);
