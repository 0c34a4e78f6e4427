-- pipeline_runtime may use the warehouse's schemas.
GRANT USAGE ON SCHEMA staging, core, star, analytics, ops TO ROLE pipeline_runtime;
