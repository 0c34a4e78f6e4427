-- Merge step 042: delete the SCD2 versions of every product this run touched (step 043 rebuilds them).
-- Target grain: one row per product and version; key: product_key.
WITH scope AS (
    SELECT DISTINCT key_value AS product_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'product'
)

DELETE FROM star.dim_product
USING scope
WHERE star.dim_product.product_id = scope.product_id;
