-- The analytics views (created after the ddl migrations) are readable by pipeline_runtime.
-- (sqlfluff's Redshift grammar lacks this form of GRANT, hence the noqa.)
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO ROLE pipeline_runtime; -- noqa: PRS,CP02
