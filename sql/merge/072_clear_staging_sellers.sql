-- Merge step 072: clear this run's rows from staging.sellers (merged above, in the same transaction).
DELETE FROM staging.sellers
WHERE _run_id = :run_id;
