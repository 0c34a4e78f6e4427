-- Merge step 054: delete the fact_payments rows of every order in this run's scope (the next step rebuilds them
-- from core, re-resolving unknown members and point-in-time versions).
-- Target grain: see star.fact_payments.
WITH scope AS (
    SELECT DISTINCT key_value AS order_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'order'
)

DELETE FROM star.fact_payments
USING scope
WHERE star.fact_payments.order_id = scope.order_id;
