-- pipeline_runtime may read the system views of other users' work: await-load asks SYS_COPY_JOB_DETAIL and
-- SYS_LOAD_DETAIL about the COPY JOBs the migration user owns.
-- (sqlfluff's Redshift grammar lacks this form of GRANT, hence the noqa.)
GRANT ROLE sys:monitor TO ROLE pipeline_runtime; -- noqa: PRS
