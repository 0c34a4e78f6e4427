-- Merge step 051: rebuild fact_sales for every order in this run's scope from core: per key, the newest row over
-- every file, (effective_at, _source_file, _source_line, row_hash) (core keeps one row per key and file).
-- Target grain: one row per order item; key: (order_id, order_item_id).
-- Dimensions join point in time at the order's purchased_at: the customer through the latest observation of the
-- order's customer_id (-> person -> the version valid then), the product version valid then (the current version
-- when the order is unknown), the seller (type 1). A missing member is -1; date_key is -1 for an unknown order.
INSERT INTO star.fact_sales (
    order_id,
    order_item_id,
    date_key,
    customer_key,
    product_key,
    seller_key,
    quantity,
    unit_price,
    revenue,
    freight_value
)
WITH scope AS (
    SELECT DISTINCT key_value AS order_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'order'
),

scoped_items_rows AS (
    SELECT
        item.order_id,
        item.order_item_id,
        item.product_id,
        item.seller_id,
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

scoped_items AS (
    SELECT
        scoped_items_rows.order_id,
        scoped_items_rows.order_item_id,
        scoped_items_rows.product_id,
        scoped_items_rows.seller_id,
        scoped_items_rows.quantity,
        scoped_items_rows.unit_price,
        scoped_items_rows.freight_value
    FROM scoped_items_rows
    WHERE scoped_items_rows.recency = 1
),

scoped_orders_rows AS (
    SELECT
        placed.order_id,
        placed.customer_id,
        placed.purchased_at,
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
        scoped_orders_rows.purchased_at
    FROM scoped_orders_rows
    WHERE scoped_orders_rows.recency = 1
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

order_context AS (
    SELECT
        scoped_orders.order_id,
        scoped_orders.purchased_at,
        CAST(EXTRACT(YEAR FROM scoped_orders.purchased_at) AS INTEGER) * 10000
        + CAST(EXTRACT(MONTH FROM scoped_orders.purchased_at) AS INTEGER) * 100
        + CAST(EXTRACT(DAY FROM scoped_orders.purchased_at) AS INTEGER) AS date_key,
        COALESCE(customer.customer_key, -1) AS customer_key
    FROM scoped_orders
    LEFT JOIN people ON scoped_orders.customer_id = people.customer_id
    LEFT JOIN star.dim_customer AS customer
        ON
            people.customer_unique_id = customer.customer_unique_id
            AND scoped_orders.purchased_at >= customer.valid_from
            AND scoped_orders.purchased_at < customer.valid_to
),

item_orders AS (
    SELECT
        scoped_items.order_id,
        scoped_items.order_item_id,
        scoped_items.product_id,
        order_context.order_id AS known_order_id,
        order_context.purchased_at
    FROM scoped_items
    LEFT JOIN order_context ON scoped_items.order_id = order_context.order_id
),

-- The product version valid at purchase (the current one when the order is unknown). Joined on product_id, then
-- filtered: a join on the validity range alone is what a planner must not pick.
item_versions AS (
    SELECT
        item_orders.order_id,
        item_orders.order_item_id,
        product.product_key
    FROM item_orders
    INNER JOIN star.dim_product AS product ON item_orders.product_id = product.product_id
    WHERE
        (item_orders.known_order_id IS NULL AND product.is_current)
        OR (item_orders.purchased_at >= product.valid_from AND item_orders.purchased_at < product.valid_to)
),

final AS (
    SELECT
        scoped_items.order_id,
        scoped_items.order_item_id,
        scoped_items.quantity,
        scoped_items.unit_price,
        scoped_items.freight_value,
        COALESCE(order_context.date_key, -1) AS date_key,
        COALESCE(order_context.customer_key, -1) AS customer_key,
        COALESCE(item_versions.product_key, -1) AS product_key,
        COALESCE(seller.seller_key, -1) AS seller_key,
        scoped_items.quantity * scoped_items.unit_price AS revenue
    FROM scoped_items
    LEFT JOIN order_context ON scoped_items.order_id = order_context.order_id
    LEFT JOIN item_versions
        ON
            scoped_items.order_id = item_versions.order_id
            AND scoped_items.order_item_id = item_versions.order_item_id
    LEFT JOIN star.dim_seller AS seller ON scoped_items.seller_id = seller.seller_id
)

SELECT
    final.order_id,
    final.order_item_id,
    final.date_key,
    final.customer_key,
    final.product_key,
    final.seller_key,
    final.quantity,
    final.unit_price,
    final.revenue,
    final.freight_value
FROM final;
