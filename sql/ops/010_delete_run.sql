-- Run record step 1: forget an earlier record of this run (a redriven execution records again).
DELETE FROM ops.runs
WHERE run_id = :run_id;
