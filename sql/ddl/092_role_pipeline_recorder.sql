-- Database role pipeline_recorder: what RecordRun may do, nothing more (write the run record tables). Its Lambda
-- role carries the IAM tag RedshiftDbRoles=pipeline_recorder. The local DuckDB warehouse skips roles and grants.
CREATE ROLE pipeline_recorder;
