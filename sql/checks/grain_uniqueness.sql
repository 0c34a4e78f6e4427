-- Post-load check: no two rows of a star table share its grain key.
-- Grain: one row per star table; observed = rows beyond the first per key (expected 0).
WITH sales_keys AS (
    SELECT COUNT(*) - 1 AS extra_rows
    FROM star.fact_sales
    GROUP BY order_id, order_item_id
),

order_keys AS (
    SELECT COUNT(*) - 1 AS extra_rows
    FROM star.fact_orders
    GROUP BY order_id
),

payment_keys AS (
    SELECT COUNT(*) - 1 AS extra_rows
    FROM star.fact_payments
    GROUP BY order_id, payment_sequential
),

customer_keys AS (
    SELECT COUNT(*) - 1 AS extra_rows
    FROM star.dim_customer
    GROUP BY customer_key
),

product_keys AS (
    SELECT COUNT(*) - 1 AS extra_rows
    FROM star.dim_product
    GROUP BY product_key
),

seller_keys AS (
    SELECT COUNT(*) - 1 AS extra_rows
    FROM star.dim_seller
    GROUP BY seller_id
)

SELECT
    'grain_uniqueness' AS check_name,
    'fact_sales' AS subject,
    COALESCE(SUM(extra_rows), 0) AS observed
FROM sales_keys
UNION ALL
SELECT
    'grain_uniqueness' AS check_name,
    'fact_orders' AS subject,
    COALESCE(SUM(extra_rows), 0) AS observed
FROM order_keys
UNION ALL
SELECT
    'grain_uniqueness' AS check_name,
    'fact_payments' AS subject,
    COALESCE(SUM(extra_rows), 0) AS observed
FROM payment_keys
UNION ALL
SELECT
    'grain_uniqueness' AS check_name,
    'dim_customer' AS subject,
    COALESCE(SUM(extra_rows), 0) AS observed
FROM customer_keys
UNION ALL
SELECT
    'grain_uniqueness' AS check_name,
    'dim_product' AS subject,
    COALESCE(SUM(extra_rows), 0) AS observed
FROM product_keys
UNION ALL
SELECT
    'grain_uniqueness' AS check_name,
    'dim_seller' AS subject,
    COALESCE(SUM(extra_rows), 0) AS observed
FROM seller_keys;
