-- COPY JOB staging_orders: auto-copy of each new Parquet file
-- under s3://<load bucket>/orders/ into staging.orders (each file name loads once).
-- Runs outside any transaction (Redshift requires it); ${load_bucket} and ${copy_role_arn} come from
-- validated configuration. sqlfluff's Redshift grammar lacks JOB CREATE, hence the noqa on that line.
COPY staging.orders
FROM 's3://${load_bucket}/orders/'
IAM_ROLE '${copy_role_arn}'
FORMAT AS PARQUET
JOB CREATE staging_orders AUTO ON; -- noqa: PRS
