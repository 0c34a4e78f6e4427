-- Run record step 2: the run's summary row. Values arrive as text parameters (the Data API's); a null value is
-- written as NULL in place of its parameter. Timestamps are UTC 'YYYY-MM-DD HH:MM:SS.fff'. The row counts are the
-- run's balance (sql/ddl/122): rows_curated counts source rows, not entity rows.
INSERT INTO ops.runs (
    run_id,
    status,
    started_at,
    recorded_at,
    run_trigger,
    files,
    sources,
    quality_verdict,
    rows_read,
    rows_quarantined,
    rows_curated,
    rows_exact_duplicates,
    rows_superseded,
    rows_filtered,
    error_name,
    error_cause,
    record_uri
)
VALUES (
    :run_id,
    :status,
    CAST(:started_at AS TIMESTAMP),
    CAST(:recorded_at AS TIMESTAMP),
    :run_trigger,
    CAST(:files AS INTEGER),
    :sources,
    :quality_verdict,
    CAST(:rows_read AS BIGINT),
    CAST(:rows_quarantined AS BIGINT),
    CAST(:rows_curated AS BIGINT),
    CAST(:rows_exact_duplicates AS BIGINT),
    CAST(:rows_superseded AS BIGINT),
    CAST(:rows_filtered AS BIGINT),
    :error_name,
    :error_cause,
    :record_uri
);
