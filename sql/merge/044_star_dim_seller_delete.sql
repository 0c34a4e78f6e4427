-- Merge step 044: delete the dim_seller row of every seller this run touched (step 045 rebuilds it).
-- Target grain: one row per seller; key: seller_key.
WITH scope AS (
    SELECT DISTINCT key_value AS seller_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'seller'
)

DELETE FROM star.dim_seller
USING scope
WHERE star.dim_seller.seller_id = scope.seller_id;
