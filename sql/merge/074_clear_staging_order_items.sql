-- Merge step 074: clear this run's rows from staging.order_items (merged above, in the same transaction).
DELETE FROM staging.order_items
WHERE _run_id = :run_id;
