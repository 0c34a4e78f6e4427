-- Merge step 055: rebuild fact_payments for every order in this run's scope from core: per key, the newest row
-- over every file, (effective_at, _source_file, _source_line, row_hash) (core keeps one row per key and file).
-- Target grain: one row per payment; key: (order_id, payment_sequential).
-- date_key and customer_key come from the order (point in time at purchased_at); -1 when the order or the
-- customer is unknown.
INSERT INTO star.fact_payments (
    order_id,
    payment_sequential,
    date_key,
    customer_key,
    payment_type_key,
    installments,
    payment_value
)
WITH scope AS (
    SELECT DISTINCT key_value AS order_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'order'
),

scoped_payments_rows AS (
    SELECT
        payment.order_id,
        payment.payment_sequential,
        payment.payment_type,
        payment.installments,
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

scoped_payments AS (
    SELECT
        scoped_payments_rows.order_id,
        scoped_payments_rows.payment_sequential,
        scoped_payments_rows.payment_type,
        scoped_payments_rows.installments,
        scoped_payments_rows.payment_value
    FROM scoped_payments_rows
    WHERE scoped_payments_rows.recency = 1
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

final AS (
    SELECT
        scoped_payments.order_id,
        scoped_payments.payment_sequential,
        scoped_payments.installments,
        scoped_payments.payment_value,
        COALESCE(order_context.date_key, -1) AS date_key,
        COALESCE(order_context.customer_key, -1) AS customer_key,
        COALESCE(payment_type.payment_type_key, -1) AS payment_type_key
    FROM scoped_payments
    LEFT JOIN order_context ON scoped_payments.order_id = order_context.order_id
    LEFT JOIN star.dim_payment_type AS payment_type ON scoped_payments.payment_type = payment_type.payment_type
)

SELECT
    final.order_id,
    final.payment_sequential,
    final.date_key,
    final.customer_key,
    final.payment_type_key,
    final.installments,
    final.payment_value
FROM final;
