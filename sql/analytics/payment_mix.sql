-- analytics.payment_mix: payments per payment type, with each type's share of the total value.
-- Grain: one row per payment type; key: payment_type ('(unknown)' for a payment whose type has no dimension row).
CREATE OR REPLACE VIEW analytics.payment_mix AS
WITH paid AS (
    SELECT
        payment.order_id,
        payment.installments,
        payment.payment_value,
        COALESCE(payment_type.payment_type, '(unknown)') AS payment_type
    FROM star.fact_payments AS payment
    LEFT JOIN star.dim_payment_type AS payment_type ON payment.payment_type_key = payment_type.payment_type_key
),

by_type AS (
    SELECT
        paid.payment_type,
        COUNT(*) AS payments,
        COUNT(DISTINCT paid.order_id) AS orders,
        SUM(paid.payment_value) AS total_value,
        SUM(paid.installments) AS total_installments
    FROM paid
    GROUP BY paid.payment_type
)

SELECT
    by_type.payment_type,
    by_type.payments,
    by_type.orders,
    by_type.total_value,
    by_type.total_installments,
    CASE
        WHEN SUM(by_type.total_value) OVER () > 0
            THEN ROUND(by_type.total_value / SUM(by_type.total_value) OVER (), 4)
    END AS value_share
FROM by_type;
