-- COPY JOB staging_order_items: auto-copy of each new Parquet file
-- under s3://<load bucket>/order_items/ into staging.order_items (each file name loads once).
-- Runs outside any transaction (Redshift requires it); ${load_bucket} and ${copy_role_arn} come from
-- validated configuration. sqlfluff's Redshift grammar lacks JOB CREATE, hence the noqa on that line.
COPY staging.order_items
FROM 's3://${load_bucket}/order_items/'
IAM_ROLE '${copy_role_arn}'
FORMAT AS PARQUET
JOB CREATE staging_order_items AUTO ON; -- noqa: PRS
