-- Post-load check: facts whose date_key (other than the unknown -1) has no star.dim_date row. dim_date covers
-- 2010-01-01 .. 2037-05-18; an order purchased outside it (a typo such as year 9999 or 1850 that the contract let
-- through) would silently drop out of every view that joins the calendar. Reported as a warning, per fact table.
-- Grain: one row per fact table; observed = facts with a date_key outside the calendar.
SELECT
    'date_coverage' AS check_name,
    'fact_sales.date_key' AS subject,
    COUNT(*) AS observed
FROM star.fact_sales AS facts
LEFT JOIN star.dim_date AS calendar ON facts.date_key = calendar.date_key
WHERE facts.date_key <> -1 AND calendar.date_key IS NULL
UNION ALL
SELECT
    'date_coverage' AS check_name,
    'fact_orders.date_key' AS subject,
    COUNT(*) AS observed
FROM star.fact_orders AS facts
LEFT JOIN star.dim_date AS calendar ON facts.date_key = calendar.date_key
WHERE facts.date_key <> -1 AND calendar.date_key IS NULL
UNION ALL
SELECT
    'date_coverage' AS check_name,
    'fact_payments.date_key' AS subject,
    COUNT(*) AS observed
FROM star.fact_payments AS facts
LEFT JOIN star.dim_date AS calendar ON facts.date_key = calendar.date_key
WHERE facts.date_key <> -1 AND calendar.date_key IS NULL;
