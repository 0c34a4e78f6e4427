-- Tables the migration user creates later in staging, core, star and ops get pipeline_runtime's privileges too.
-- (sqlfluff's Redshift grammar lacks this form of GRANT, hence the noqa.)
ALTER DEFAULT PRIVILEGES IN SCHEMA staging, core, star, ops
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ROLE pipeline_runtime; -- noqa: PRS,CP02
