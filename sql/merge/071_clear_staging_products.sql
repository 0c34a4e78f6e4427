-- Merge step 071: clear this run's rows from staging.products (merged above, in the same transaction).
DELETE FROM staging.products
WHERE _run_id = :run_id;
