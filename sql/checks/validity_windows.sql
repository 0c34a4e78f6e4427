-- Post-load check: the SCD2 versions of each natural key tile time without overlap or gap: the first starts at
-- 1900-01-01, each ends where the next starts, the last ends at 9999-12-31, and none ends before it starts.
-- Grain: one row per dimension; observed = number of versions breaking that (expected 0).
WITH customer_versions AS (
    SELECT
        valid_from,
        valid_to,
        LAG(valid_to) OVER (PARTITION BY customer_unique_id ORDER BY valid_from, version_number) AS previous_to,
        LEAD(valid_from) OVER (PARTITION BY customer_unique_id ORDER BY valid_from, version_number) AS next_from
    FROM star.dim_customer
),

product_versions AS (
    SELECT
        valid_from,
        valid_to,
        LAG(valid_to) OVER (PARTITION BY product_id ORDER BY valid_from, version_number) AS previous_to,
        LEAD(valid_from) OVER (PARTITION BY product_id ORDER BY valid_from, version_number) AS next_from
    FROM star.dim_product
)

SELECT
    'validity_windows' AS check_name,
    'dim_customer' AS subject,
    SUM(
        CASE
            WHEN valid_to < valid_from THEN 1
            WHEN previous_to IS NULL AND valid_from <> CAST('1900-01-01 00:00:00' AS TIMESTAMP) THEN 1
            WHEN previous_to IS NOT NULL AND previous_to <> valid_from THEN 1
            WHEN next_from IS NULL AND valid_to <> CAST('9999-12-31 00:00:00' AS TIMESTAMP) THEN 1
            ELSE 0
        END
    ) AS observed
FROM customer_versions
UNION ALL
SELECT
    'validity_windows' AS check_name,
    'dim_product' AS subject,
    SUM(
        CASE
            WHEN valid_to < valid_from THEN 1
            WHEN previous_to IS NULL AND valid_from <> CAST('1900-01-01 00:00:00' AS TIMESTAMP) THEN 1
            WHEN previous_to IS NOT NULL AND previous_to <> valid_from THEN 1
            WHEN next_from IS NULL AND valid_to <> CAST('9999-12-31 00:00:00' AS TIMESTAMP) THEN 1
            ELSE 0
        END
    ) AS observed
FROM product_versions;
