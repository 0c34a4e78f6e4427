-- Merge step 035: insert this run's payments rows of the files whose newest loaded version it holds (step 034
-- deleted their older rows; a stale version's rows are discarded): its newest row per key and file.
-- Target grain: one row per (order_id, payment_sequential, _source_file), the newest
-- (effective_at, _source_line, row_hash) of the file's latest version.
INSERT INTO core.payments (
    order_id,
    payment_sequential,
    payment_type,
    installments,
    payment_value,
    effective_at,
    row_hash,
    _run_id,
    _source_file,
    _source_line,
    _ingested_at
)
WITH incoming AS (
    SELECT
        order_id,
        payment_sequential,
        payment_type,
        installments,
        payment_value,
        effective_at,
        row_hash,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at
    FROM staging.payments_newest
    WHERE
        _run_id = :run_id
        AND _source_file IN (
            SELECT current_files.source_file
            FROM core.current_source_objects AS current_files
            WHERE
                current_files.run_id = :run_id
                AND current_files.merge_id = :merge_id
                AND current_files.entity_name = 'payments'
        )
)

SELECT
    incoming.order_id,
    incoming.payment_sequential,
    incoming.payment_type,
    incoming.installments,
    incoming.payment_value,
    incoming.effective_at,
    incoming.row_hash,
    incoming._run_id,
    incoming._source_file,
    incoming._source_line,
    incoming._ingested_at
FROM incoming;
