-- star.dim_product.product_description: the version's description (SCD2-tracked: a changed description starts a
-- new version).
ALTER TABLE star.dim_product ADD COLUMN product_description VARCHAR(4096) ENCODE ZSTD;
