-- pipeline_loader may create, alter and drop COPY JOBs in the warehouse database (COPY JOB's scoped permissions;
-- INSERT on the staging tables and USAGE on staging come with pipeline_runtime). The database name is the one
-- serverless.yml gives the namespace (custom.names.warehouseDatabase; a test keeps the two equal).
-- (sqlfluff's Redshift grammar lacks scoped permissions, hence the noqa.)
GRANT CREATE, ALTER, DROP FOR COPY JOBS IN DATABASE sales TO ROLE pipeline_loader; -- noqa: PRS
