-- Merge step 035: insert this run's newest payments rows for keys with no stored row left
-- (new keys, and keys whose older row step 034 deleted).
-- Target grain: one row per payment; key: (order_id, payment_sequential). The stored row is the greatest
-- (effective_at, _source_file, _source_line, row_hash) ever delivered, whatever the order of arrival.
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
    WHERE _run_id = :run_id
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
FROM incoming
LEFT JOIN core.payments AS known
    ON incoming.order_id = known.order_id AND incoming.payment_sequential = known.payment_sequential
WHERE known.order_id IS NULL;
