-- analytics.daily_sales_by_state: sales per purchase day and customer state.
-- Grain: one row per (sale_date, customer_state); key: (sale_date, customer_state).
-- The state is the customer version's at purchase time, '(unknown)' when the customer never arrived.
-- Revenue as in analytics.monthly_revenue.
CREATE OR REPLACE VIEW analytics.daily_sales_by_state AS
WITH sales AS (
    SELECT
        sale.order_id,
        sale.revenue,
        sale.freight_value,
        CAST(placed.purchased_at AS DATE) AS sale_date,
        COALESCE(customer.state, '(unknown)') AS customer_state
    FROM star.fact_sales AS sale
    INNER JOIN star.fact_orders AS placed ON sale.order_id = placed.order_id
    LEFT JOIN star.dim_customer AS customer ON sale.customer_key = customer.customer_key
    WHERE placed.order_status NOT IN ('canceled', 'unavailable')
),

final AS (
    SELECT
        sales.sale_date,
        sales.customer_state,
        SUM(sales.revenue) AS revenue,
        SUM(sales.freight_value) AS freight,
        COUNT(DISTINCT sales.order_id) AS orders,
        COUNT(*) AS items
    FROM sales
    GROUP BY sales.sale_date, sales.customer_state
)

SELECT
    final.sale_date,
    final.customer_state,
    final.revenue,
    final.freight,
    final.orders,
    final.items
FROM final;
