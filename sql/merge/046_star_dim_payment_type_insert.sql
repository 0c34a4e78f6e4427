-- Merge step 046: add every payment type of the scoped orders' rows in core.payments that dim_payment_type lacks
-- (every payments row this run adds belongs to a scoped order). With step 047 the dimension is the set of payment
-- types core holds: a function of the latest version of each file, not of the order of runs.
-- Target grain: one row per payment type; key: payment_type_key = hash of payment_type.
INSERT INTO star.dim_payment_type (payment_type_key, payment_type)
WITH scope AS (
    SELECT DISTINCT key_value AS order_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'order'
),

held AS (
    SELECT DISTINCT payment.payment_type
    FROM core.payments AS payment
    INNER JOIN scope ON payment.order_id = scope.order_id
)

SELECT
    STRTOL(LEFT(MD5(held.payment_type), 15), 16) AS payment_type_key,
    held.payment_type
FROM held
LEFT JOIN star.dim_payment_type AS known ON held.payment_type = known.payment_type
WHERE known.payment_type IS NULL;
