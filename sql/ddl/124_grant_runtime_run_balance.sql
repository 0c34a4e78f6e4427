-- pipeline_runtime may read ops.run_balance, as it reads ops.runs (072). The default privileges of 073 grant the
-- same; this says it where the view is made. The recorder writes ops.runs and needs nothing here.
GRANT SELECT ON ops.run_balance TO ROLE pipeline_runtime;
