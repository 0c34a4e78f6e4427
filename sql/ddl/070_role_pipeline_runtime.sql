-- Database role pipeline_runtime: what the runtime steps (await-load, merge, verify-load) may do. Their Lambda
-- roles carry the IAM tag RedshiftDbRoles=pipeline_runtime, so their IAMR: users get this role at sign-in.
-- Roles and grants have no meaning in the local DuckDB warehouse, which skips them.
CREATE ROLE pipeline_runtime;
