-- analytics.monthly_revenue: revenue per purchase month with month-over-month growth.
-- Grain: one row per month with sales; key: month_start.
-- Revenue = sum(quantity * unit_price) over the items of known orders whose status is not canceled or unavailable.
-- mom_growth = (revenue - previous month's revenue) / previous month's revenue, rounded to 4 decimals; null when
-- the calendar month before had no sales.
CREATE OR REPLACE VIEW analytics.monthly_revenue AS
WITH sales AS (
    SELECT
        sale.order_id,
        sale.revenue,
        CAST(DATE_TRUNC('month', placed.purchased_at) AS DATE) AS month_start,
        CAST(EXTRACT(YEAR FROM placed.purchased_at) AS INTEGER) * 12
        + CAST(EXTRACT(MONTH FROM placed.purchased_at) AS INTEGER) AS month_index
    FROM star.fact_sales AS sale
    INNER JOIN star.fact_orders AS placed ON sale.order_id = placed.order_id
    WHERE placed.order_status NOT IN ('canceled', 'unavailable')
),

monthly AS (
    SELECT
        sales.month_start,
        sales.month_index,
        SUM(sales.revenue) AS revenue,
        COUNT(DISTINCT sales.order_id) AS orders,
        COUNT(*) AS items
    FROM sales
    GROUP BY sales.month_start, sales.month_index
),

compared AS (
    SELECT
        monthly.month_start,
        monthly.month_index,
        monthly.revenue,
        monthly.orders,
        monthly.items,
        LAG(monthly.month_index) OVER (ORDER BY monthly.month_index) AS previous_index,
        LAG(monthly.revenue) OVER (ORDER BY monthly.month_index) AS previous_revenue
    FROM monthly
),

final AS (
    SELECT
        compared.month_start,
        compared.revenue,
        compared.orders,
        compared.items,
        CASE
            WHEN compared.previous_index = compared.month_index - 1 THEN compared.previous_revenue
        END AS previous_month_revenue
    FROM compared
)

SELECT
    final.month_start,
    final.revenue,
    final.orders,
    final.items,
    final.previous_month_revenue,
    CASE
        WHEN final.previous_month_revenue > 0
            THEN
                ROUND(
                    (final.revenue - final.previous_month_revenue) / final.previous_month_revenue,
                    4
                )
    END AS mom_growth
FROM final;
