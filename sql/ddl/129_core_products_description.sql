-- core.products.product_description: the observed description; an SCD2 attribute with product_name (merge step
-- 021 adds both to attr_hash only when one is not NULL, so the hash of an observation without them is unchanged).
ALTER TABLE core.products ADD COLUMN product_description VARCHAR(4096) ENCODE ZSTD;
