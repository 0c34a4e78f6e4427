-- Merge step 073: clear this run's rows from staging.orders (merged above, in the same transaction).
DELETE FROM staging.orders
WHERE _run_id = :run_id;
