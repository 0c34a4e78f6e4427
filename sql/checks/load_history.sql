-- Load history of one run: every file under <entity>/<run_id>/ that a COPY JOB has seen, with its status
-- (SYS_COPY_JOB_DETAIL: P pending, I ingested, E error) and the rows scanned when it loaded (SYS_LOAD_DETAIL).
-- The local DuckDB warehouse emulates both system views under the same names and columns.
-- Grain: one row per (job_name, file_name); key: (job_name, file_name).
WITH job_files AS (
    SELECT
        file_size,
        enqueue_time,
        TRIM(job_name) AS job_name,
        TRIM(file_location) AS bucket,
        TRIM(file_name) AS file_name,
        TRIM(status) AS status
    FROM sys_copy_job_detail
    WHERE SPLIT_PART(TRIM(file_name), '/', 2) = :run_id
),

scanned AS (
    SELECT
        TRIM(file_name) AS file_uri,
        MAX(lines_scanned) AS lines_scanned
    FROM sys_load_detail
    GROUP BY TRIM(file_name)
)

SELECT
    job_files.job_name,
    job_files.bucket,
    job_files.file_name,
    job_files.file_size,
    job_files.status,
    job_files.enqueue_time,
    scanned.lines_scanned
FROM job_files
LEFT JOIN scanned ON 's3://' || job_files.bucket || '/' || job_files.file_name = scanned.file_uri;
