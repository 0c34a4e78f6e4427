-- Merge step 076: clear this run's rows from staging.category_translation (merged above, in the same transaction).
DELETE FROM staging.category_translation
WHERE _run_id = :run_id;
