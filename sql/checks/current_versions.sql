-- Post-load check: every natural key of an SCD2 dimension has exactly one current version.
-- Grain: one row per dimension; observed = number of keys with zero or several current versions (expected 0).
WITH customer_keys AS (
    SELECT
        customer_unique_id,
        SUM(CASE WHEN is_current THEN 1 ELSE 0 END) AS current_versions
    FROM star.dim_customer
    GROUP BY customer_unique_id
),

product_keys AS (
    SELECT
        product_id,
        SUM(CASE WHEN is_current THEN 1 ELSE 0 END) AS current_versions
    FROM star.dim_product
    GROUP BY product_id
)

SELECT
    'current_versions' AS check_name,
    'dim_customer' AS subject,
    SUM(CASE WHEN current_versions <> 1 THEN 1 ELSE 0 END) AS observed
FROM customer_keys
UNION ALL
SELECT
    'current_versions' AS check_name,
    'dim_product' AS subject,
    SUM(CASE WHEN current_versions <> 1 THEN 1 ELSE 0 END) AS observed
FROM product_keys;
