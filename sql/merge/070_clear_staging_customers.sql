-- Merge step 070: clear this run's rows from staging.customers (merged above, in the same transaction).
DELETE FROM staging.customers
WHERE _run_id = :run_id;
