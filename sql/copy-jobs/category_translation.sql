-- COPY JOB staging_category_translation: auto-copy of each new Parquet file
-- under s3://<load bucket>/category_translation/ into staging.category_translation (each file name loads once).
-- Runs outside any transaction (Redshift requires it); ${load_bucket} and ${copy_role_arn} come from
-- validated configuration. sqlfluff's Redshift grammar lacks JOB CREATE, hence the noqa on that line.
COPY staging.category_translation
FROM 's3://${load_bucket}/category_translation/'
IAM_ROLE '${copy_role_arn}'
FORMAT AS PARQUET
JOB CREATE staging_category_translation AUTO ON; -- noqa: PRS
