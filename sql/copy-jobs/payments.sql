-- COPY JOB staging_payments: auto-copy of each new Parquet file
-- under s3://<load bucket>/payments/ into staging.payments (each file name loads once).
-- Runs outside any transaction (Redshift requires it); ${load_bucket} and ${copy_role_arn} come from
-- validated configuration. sqlfluff's Redshift grammar lacks JOB CREATE, hence the noqa on that line.
COPY staging.payments
FROM 's3://${load_bucket}/payments/'
IAM_ROLE '${copy_role_arn}'
FORMAT AS PARQUET
JOB CREATE staging_payments AUTO ON; -- noqa: PRS
