-- Merge step 079: clear this run's merge scope (the last statement of the merge transaction).
DELETE FROM staging.merge_scope
WHERE run_id = :run_id;
