-- Merge step 040: delete the SCD2 versions of every person this run touched (step 041 rebuilds them).
-- Target grain: one row per person and version; key: customer_key.
WITH scope AS (
    SELECT DISTINCT key_value AS customer_unique_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'person'
)

DELETE FROM star.dim_customer
USING scope
WHERE star.dim_customer.customer_unique_id = scope.customer_unique_id;
