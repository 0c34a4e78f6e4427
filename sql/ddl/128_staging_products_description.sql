-- staging.products.product_description: the product's free-text description (entity column
-- products.product_description, optional: NULL when a contract does not map it). Appended after the lineage
-- columns, as curated files write it (COPY maps Parquet columns by position).
ALTER TABLE staging.products ADD COLUMN product_description VARCHAR(4096) ENCODE ZSTD;
