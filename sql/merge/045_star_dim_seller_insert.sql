-- Merge step 045: rebuild dim_seller for every seller this run touched from its latest observation (type 1):
-- the greatest (effective_at, _source_file, _source_line) over all observations. Also adds the house member
-- (seller_key -2, seller_id '_house': the seller of order items whose source names none, the entity default of
-- order_items.seller_id) the first time a run's items reference it; it is never rebuilt or removed.
-- Target grain: one row per seller; key: seller_key = hash of seller_id (-2 for the house member).
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
),

observed_sellers AS (
    SELECT
        STRTOL(LEFT(MD5(ranked.seller_id), 15), 16) AS seller_key,
        ranked.seller_id,
        ranked.zip_code_prefix,
        ranked.city,
        ranked.state,
        ranked.effective_at
    FROM ranked
    WHERE ranked.recency = 1
),

house AS (
    SELECT DISTINCT
        CAST(-2 AS BIGINT) AS seller_key,
        staged.seller_id,
        CAST('1900-01-01 00:00:00' AS TIMESTAMP) AS effective_at
    FROM staging.order_items AS staged
    WHERE
        staged._run_id = :run_id
        AND staged.seller_id = '_house'
        AND NOT EXISTS (
            SELECT 1 FROM star.dim_seller AS known
            WHERE known.seller_id = '_house'
        )
        AND NOT EXISTS (
            SELECT 1 FROM observed_sellers
            WHERE observed_sellers.seller_id = '_house'
        )
),

final AS (
    SELECT
        observed_sellers.seller_key,
        observed_sellers.seller_id,
        observed_sellers.zip_code_prefix,
        observed_sellers.city,
        observed_sellers.state,
        observed_sellers.effective_at
    FROM observed_sellers
    UNION ALL
    -- The house member has no location (the union's column names are the first branch's).
    SELECT
        house.seller_key,
        house.seller_id,
        CAST(NULL AS VARCHAR(16)) AS house_zip_code_prefix,
        CAST(NULL AS VARCHAR(256)) AS house_city,
        CAST(NULL AS VARCHAR(16)) AS house_state,
        house.effective_at
    FROM house
)

SELECT
    final.seller_key,
    final.seller_id,
    final.zip_code_prefix,
    final.city,
    final.state,
    final.effective_at
FROM final;
