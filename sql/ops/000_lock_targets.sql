-- Run record step 0: lock the ops tables a run record replaces rows in, so that two runs recording at once
-- serialize instead of failing on Redshift's serializable isolation. Released at commit.
LOCK ops.runs, ops.dq_results;
