-- Post-load check: facts that point to the unknown member (-1) of a dimension, over the whole star schema.
-- A date_key of -1 means the fact's order is unknown. Expected while references arrive late: reported as a warning.
-- Grain: one row per (fact table, key column); observed = number of facts with -1.
SELECT
    'unknown_members' AS check_name,
    'fact_sales.date_key' AS subject,
    SUM(CASE WHEN date_key = -1 THEN 1 ELSE 0 END) AS observed
FROM star.fact_sales
UNION ALL
SELECT
    'unknown_members' AS check_name,
    'fact_sales.customer_key' AS subject,
    SUM(CASE WHEN customer_key = -1 THEN 1 ELSE 0 END) AS observed
FROM star.fact_sales
UNION ALL
SELECT
    'unknown_members' AS check_name,
    'fact_sales.product_key' AS subject,
    SUM(CASE WHEN product_key = -1 THEN 1 ELSE 0 END) AS observed
FROM star.fact_sales
UNION ALL
SELECT
    'unknown_members' AS check_name,
    'fact_sales.seller_key' AS subject,
    SUM(CASE WHEN seller_key = -1 THEN 1 ELSE 0 END) AS observed
FROM star.fact_sales
UNION ALL
SELECT
    'unknown_members' AS check_name,
    'fact_orders.customer_key' AS subject,
    SUM(CASE WHEN customer_key = -1 THEN 1 ELSE 0 END) AS observed
FROM star.fact_orders
UNION ALL
SELECT
    'unknown_members' AS check_name,
    'fact_payments.date_key' AS subject,
    SUM(CASE WHEN date_key = -1 THEN 1 ELSE 0 END) AS observed
FROM star.fact_payments
UNION ALL
SELECT
    'unknown_members' AS check_name,
    'fact_payments.customer_key' AS subject,
    SUM(CASE WHEN customer_key = -1 THEN 1 ELSE 0 END) AS observed
FROM star.fact_payments
UNION ALL
SELECT
    'unknown_members' AS check_name,
    'fact_payments.payment_type_key' AS subject,
    SUM(CASE WHEN payment_type_key = -1 THEN 1 ELSE 0 END) AS observed
FROM star.fact_payments;
