-- Merge step 075: clear this run's rows from staging.payments (merged above, in the same transaction).
DELETE FROM staging.payments
WHERE _run_id = :run_id;
