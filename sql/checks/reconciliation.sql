-- Post-load check input: what the merge of one run loaded per entity (rows and money sums), from ops.load_audit.
-- The warehouse port compares it with the run's curated metrics (rows_curated and sums per entity).
-- Grain: one row per entity the run loaded; key: entity_name.
SELECT
    entity_name,
    SUM(rows_loaded) AS rows_loaded,
    SUM(unit_price_sum) AS unit_price_sum,
    SUM(freight_value_sum) AS freight_value_sum,
    SUM(payment_value_sum) AS payment_value_sum
FROM ops.load_audit
WHERE run_id = :run_id
GROUP BY entity_name;
