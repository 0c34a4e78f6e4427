-- Run record step 3: forget the rule results an earlier record of this run wrote.
DELETE FROM ops.dq_results
WHERE run_id = :run_id;
