-- Merge step 045: rebuild dim_seller for every seller this run touched from its latest observation (type 1):
-- the greatest (effective_at, _source_file, _source_line) over all observations.
-- Target grain: one row per seller; key: seller_key = hash of seller_id.
INSERT INTO star.dim_seller (
    seller_key,
    seller_id,
    zip_code_prefix,
    city,
    state,
    effective_at
)
WITH scope AS (
    SELECT DISTINCT key_value AS seller_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'seller'
),

ranked AS (
    SELECT
        observed.seller_id,
        observed.zip_code_prefix,
        observed.city,
        observed.state,
        observed.effective_at,
        ROW_NUMBER() OVER (
            PARTITION BY observed.seller_id
            ORDER BY
                observed.effective_at DESC,
                observed._source_file DESC,
                COALESCE(observed._source_line, -1) DESC,
                observed.attr_hash DESC
        ) AS recency
    FROM core.sellers AS observed
    INNER JOIN scope ON observed.seller_id = scope.seller_id
)

SELECT
    STRTOL(LEFT(MD5(ranked.seller_id), 15), 16) AS seller_key,
    ranked.seller_id,
    ranked.zip_code_prefix,
    ranked.city,
    ranked.state,
    ranked.effective_at
FROM ranked
WHERE ranked.recency = 1;
