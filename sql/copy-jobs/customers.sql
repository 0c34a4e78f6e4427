-- COPY JOB staging_customers: auto-copy of each new Parquet file
-- under s3://<load bucket>/customers/ into staging.customers (each file name loads once).
-- Runs outside any transaction (Redshift requires it); ${load_bucket} and ${copy_role_arn} come from
-- validated configuration. sqlfluff's Redshift grammar lacks JOB CREATE, hence the noqa on that line.
COPY staging.customers
FROM 's3://${load_bucket}/customers/'
IAM_ROLE '${copy_role_arn}'
FORMAT AS PARQUET
JOB CREATE staging_customers AUTO ON; -- noqa: PRS
