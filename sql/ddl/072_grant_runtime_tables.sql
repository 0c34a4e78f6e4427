-- pipeline_runtime may read and write the tables the merge and the checks use (UPDATE/DELETE also let the merge
-- LOCK them). Tables created by later migrations get the same through the default privileges of 073.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA staging, core, star, ops TO ROLE pipeline_runtime;
