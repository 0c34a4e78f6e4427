-- pipeline_recorder may replace a run's rows in ops.runs and ops.dq_results (SELECT for the DELETE's condition;
-- UPDATE and DELETE also let it LOCK both tables), and no other table.
GRANT SELECT, INSERT, UPDATE, DELETE ON ops.runs, ops.dq_results TO ROLE pipeline_recorder;
