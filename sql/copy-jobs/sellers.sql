-- COPY JOB staging_sellers: auto-copy of each new Parquet file
-- under s3://<load bucket>/sellers/ into staging.sellers (each file name loads once).
-- Runs outside any transaction (Redshift requires it); ${load_bucket} and ${copy_role_arn} come from
-- validated configuration. sqlfluff's Redshift grammar lacks JOB CREATE, hence the noqa on that line.
COPY staging.sellers
FROM 's3://${load_bucket}/sellers/'
IAM_ROLE '${copy_role_arn}'
FORMAT AS PARQUET
JOB CREATE staging_sellers AUTO ON; -- noqa: PRS
