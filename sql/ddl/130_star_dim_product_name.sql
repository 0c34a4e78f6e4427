-- star.dim_product.product_name: the version's product name (SCD2-tracked: a new name starts a new version).
ALTER TABLE star.dim_product ADD COLUMN product_name VARCHAR(512) ENCODE ZSTD;
