-- analytics.category_leaders: revenue per product category and purchase month, ranked within the month.
-- Grain: one row per (month_start, category_name); key: (month_start, category_name). is_leader marks rank 1.
-- The category is the product version's at purchase time: '(none)' for a product without category, '(unknown)'
-- for an item whose product never arrived. Revenue as in analytics.monthly_revenue.
CREATE OR REPLACE VIEW analytics.category_leaders AS
WITH sales AS (
    SELECT
        sale.order_id,
        sale.revenue,
        CAST(DATE_TRUNC('month', placed.purchased_at) AS DATE) AS month_start,
        CASE
            WHEN product.product_key IS NULL THEN '(unknown)'
            ELSE COALESCE(product.category_name, '(none)')
        END AS category_name,
        CASE
            WHEN product.product_key IS NULL THEN '(unknown)'
            ELSE COALESCE(product.category_name_english, product.category_name, '(none)')
        END AS category_name_english
    FROM star.fact_sales AS sale
    INNER JOIN star.fact_orders AS placed ON sale.order_id = placed.order_id
    LEFT JOIN star.dim_product AS product ON sale.product_key = product.product_key
    WHERE placed.order_status NOT IN ('canceled', 'unavailable')
),

by_category AS (
    SELECT
        sales.month_start,
        sales.category_name,
        sales.category_name_english,
        SUM(sales.revenue) AS revenue,
        COUNT(*) AS items,
        COUNT(DISTINCT sales.order_id) AS orders
    FROM sales
    GROUP BY sales.month_start, sales.category_name, sales.category_name_english
),

final AS (
    SELECT
        by_category.month_start,
        by_category.category_name,
        by_category.category_name_english,
        by_category.revenue,
        by_category.items,
        by_category.orders,
        RANK() OVER (
            PARTITION BY by_category.month_start
            ORDER BY by_category.revenue DESC
        ) AS revenue_rank,
        ROUND(
            by_category.revenue / SUM(by_category.revenue) OVER (PARTITION BY by_category.month_start), 4
        ) AS revenue_share
    FROM by_category
)

SELECT
    final.month_start,
    final.category_name,
    final.category_name_english,
    final.revenue,
    final.items,
    final.orders,
    final.revenue_rank,
    final.revenue_share,
    final.revenue_rank = 1 AS is_leader
FROM final;
