-- analytics.delivery_performance: delivered orders per customer state and purchase month, with delivery times.
-- Grain: one row per (customer_state, month_start); key: (customer_state, month_start).
-- Only orders with a customer delivery time count. Days are calendar days as in star.fact_orders; the averages and
-- the late rate are rounded (2 and 4 decimals); the totals are exact.
CREATE OR REPLACE VIEW analytics.delivery_performance AS
WITH delivered AS (
    SELECT
        placed.order_id,
        placed.delivery_days,
        placed.delay_days,
        placed.is_late,
        CAST(DATE_TRUNC('month', placed.purchased_at) AS DATE) AS month_start,
        COALESCE(customer.state, '(unknown)') AS customer_state
    FROM star.fact_orders AS placed
    LEFT JOIN star.dim_customer AS customer ON placed.customer_key = customer.customer_key
    WHERE placed.delivered_customer_at IS NOT NULL
),

totals AS (
    SELECT
        delivered.customer_state,
        delivered.month_start,
        COUNT(*) AS delivered_orders,
        SUM(CASE WHEN delivered.is_late THEN 1 ELSE 0 END) AS late_orders,
        SUM(delivered.delivery_days) AS total_delivery_days,
        SUM(delivered.delay_days) AS total_delay_days
    FROM delivered
    GROUP BY delivered.customer_state, delivered.month_start
)

SELECT
    totals.customer_state,
    totals.month_start,
    totals.delivered_orders,
    totals.late_orders,
    totals.total_delivery_days,
    totals.total_delay_days,
    ROUND(CAST(totals.total_delivery_days AS DECIMAL(18, 4)) / totals.delivered_orders, 2) AS avg_delivery_days,
    ROUND(CAST(totals.total_delay_days AS DECIMAL(18, 4)) / totals.delivered_orders, 2) AS avg_delay_days,
    ROUND(CAST(totals.late_orders AS DECIMAL(18, 4)) / totals.delivered_orders, 4) AS late_rate
FROM totals;
