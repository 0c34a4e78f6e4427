-- Merge step 053: rebuild fact_orders for every known order in this run's scope from core: per key, the newest
-- row over every file, (effective_at, _source_file, _source_line, row_hash) (core keeps one row per key and file).
-- Target grain: one row per order; key: order_id.
-- Totals come from the order's current items and payments (0 when none). delivery_days = calendar days (date
-- boundaries) from purchase to customer delivery; delay_days = calendar days from the estimated delivery to the
-- customer delivery (positive = late); is_late = delay_days > 0 (null while undelivered). The customer joins
-- point in time at purchased_at through the latest observation of the order's customer_id; missing = -1.
INSERT INTO star.fact_orders (
    order_id,
    date_key,
    customer_key,
    order_status,
    purchased_at,
    approved_at,
    delivered_carrier_at,
    delivered_customer_at,
    estimated_delivery_at,
    item_count,
    items_revenue,
    freight_total,
    payments_total,
    delivery_days,
    delay_days,
    is_late
)
WITH scope AS (
    SELECT DISTINCT key_value AS order_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'order'
),

scoped_orders_rows AS (
    SELECT
        placed.order_id,
        placed.customer_id,
        placed.status,
        placed.purchased_at,
        placed.approved_at,
        placed.delivered_carrier_at,
        placed.delivered_customer_at,
        placed.estimated_delivery_at,
        ROW_NUMBER() OVER (
            PARTITION BY placed.order_id
            ORDER BY
                placed.effective_at DESC,
                placed._source_file DESC,
                COALESCE(placed._source_line, -1) DESC,
                placed.row_hash DESC
        ) AS recency
    FROM core.orders AS placed
    INNER JOIN scope ON placed.order_id = scope.order_id
),

scoped_orders AS (
    SELECT
        scoped_orders_rows.order_id,
        scoped_orders_rows.customer_id,
        scoped_orders_rows.status,
        scoped_orders_rows.purchased_at,
        scoped_orders_rows.approved_at,
        scoped_orders_rows.delivered_carrier_at,
        scoped_orders_rows.delivered_customer_at,
        scoped_orders_rows.estimated_delivery_at
    FROM scoped_orders_rows
    WHERE scoped_orders_rows.recency = 1
),

item_rows AS (
    SELECT
        item.order_id,
        item.quantity,
        item.unit_price,
        item.freight_value,
        ROW_NUMBER() OVER (
            PARTITION BY item.order_id, item.order_item_id
            ORDER BY
                item.effective_at DESC,
                item._source_file DESC,
                COALESCE(item._source_line, -1) DESC,
                item.row_hash DESC
        ) AS recency
    FROM core.order_items AS item
    INNER JOIN scope ON item.order_id = scope.order_id
),

item_totals AS (
    SELECT
        item_rows.order_id,
        COUNT(*) AS item_count,
        SUM(item_rows.quantity * item_rows.unit_price) AS items_revenue,
        SUM(item_rows.freight_value) AS freight_total
    FROM item_rows
    WHERE item_rows.recency = 1
    GROUP BY item_rows.order_id
),

payment_rows AS (
    SELECT
        payment.order_id,
        payment.payment_value,
        ROW_NUMBER() OVER (
            PARTITION BY payment.order_id, payment.payment_sequential
            ORDER BY
                payment.effective_at DESC,
                payment._source_file DESC,
                COALESCE(payment._source_line, -1) DESC,
                payment.row_hash DESC
        ) AS recency
    FROM core.payments AS payment
    INNER JOIN scope ON payment.order_id = scope.order_id
),

payment_totals AS (
    SELECT
        payment_rows.order_id,
        SUM(payment_rows.payment_value) AS payments_total
    FROM payment_rows
    WHERE payment_rows.recency = 1
    GROUP BY payment_rows.order_id
),

wanted_customers AS (
    SELECT DISTINCT scoped_orders.customer_id
    FROM scoped_orders
),

customer_observations AS (
    SELECT
        observed.customer_id,
        observed.customer_unique_id,
        ROW_NUMBER() OVER (
            PARTITION BY observed.customer_id
            ORDER BY
                observed.effective_at DESC,
                observed._source_file DESC,
                COALESCE(observed._source_line, -1) DESC,
                observed.attr_hash DESC
        ) AS recency
    FROM core.customers AS observed
    INNER JOIN wanted_customers ON observed.customer_id = wanted_customers.customer_id
),

people AS (
    SELECT
        customer_observations.customer_id,
        customer_observations.customer_unique_id
    FROM customer_observations
    WHERE customer_observations.recency = 1
),

final AS (
    SELECT
        scoped_orders.order_id,
        scoped_orders.status AS order_status,
        scoped_orders.purchased_at,
        scoped_orders.approved_at,
        scoped_orders.delivered_carrier_at,
        scoped_orders.delivered_customer_at,
        scoped_orders.estimated_delivery_at,
        CAST(EXTRACT(YEAR FROM scoped_orders.purchased_at) AS INTEGER) * 10000
        + CAST(EXTRACT(MONTH FROM scoped_orders.purchased_at) AS INTEGER) * 100
        + CAST(EXTRACT(DAY FROM scoped_orders.purchased_at) AS INTEGER) AS date_key,
        COALESCE(customer.customer_key, -1) AS customer_key,
        COALESCE(item_totals.item_count, 0) AS item_count,
        COALESCE(item_totals.items_revenue, 0) AS items_revenue,
        COALESCE(item_totals.freight_total, 0) AS freight_total,
        COALESCE(payment_totals.payments_total, 0) AS payments_total,
        DATEDIFF(DAY, scoped_orders.purchased_at, scoped_orders.delivered_customer_at) AS delivery_days,
        DATEDIFF(DAY, scoped_orders.estimated_delivery_at, scoped_orders.delivered_customer_at) AS delay_days
    FROM scoped_orders
    LEFT JOIN item_totals ON scoped_orders.order_id = item_totals.order_id
    LEFT JOIN payment_totals ON scoped_orders.order_id = payment_totals.order_id
    LEFT JOIN people ON scoped_orders.customer_id = people.customer_id
    LEFT JOIN star.dim_customer AS customer
        ON
            people.customer_unique_id = customer.customer_unique_id
            AND scoped_orders.purchased_at >= customer.valid_from
            AND scoped_orders.purchased_at < customer.valid_to
)

SELECT
    final.order_id,
    final.date_key,
    final.customer_key,
    final.order_status,
    final.purchased_at,
    final.approved_at,
    final.delivered_carrier_at,
    final.delivered_customer_at,
    final.estimated_delivery_at,
    final.item_count,
    final.items_revenue,
    final.freight_total,
    final.payments_total,
    final.delivery_days,
    final.delay_days,
    final.delay_days > 0 AS is_late
FROM final;
