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
WITH staged AS (
    SELECT
        order_id,
        payment_sequential,
        payment_type,
        installments,
        payment_value,
        effective_at,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at,
        MD5(
            COALESCE(order_id, '<null>')
            || '|'
            || COALESCE(CAST(payment_sequential AS VARCHAR), '<null>')
            || '|'
            || COALESCE(payment_type, '<null>')
            || '|'
            || COALESCE(CAST(installments AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(payment_value AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(effective_at AS VARCHAR), '<null>')
        ) AS row_hash
    FROM staging.payments
    WHERE _run_id = :run_id
),

ranked AS (
    SELECT
        staged.order_id,
        staged.payment_sequential,
        staged.payment_type,
        staged.installments,
        staged.payment_value,
        staged.effective_at,
        staged.row_hash,
        staged._run_id,
        staged._source_file,
        staged._source_line,
        staged._ingested_at,
        ROW_NUMBER() OVER (
            PARTITION BY staged.order_id, staged.payment_sequential
            ORDER BY
                staged.effective_at DESC,
                staged._source_file DESC,
                COALESCE(staged._source_line, -1) DESC,
                staged.row_hash DESC
        ) AS recency
    FROM staged
),

incoming AS (
    SELECT
        ranked.order_id,
        ranked.payment_sequential,
        ranked.payment_type,
        ranked.installments,
        ranked.payment_value,
        ranked.effective_at,
        ranked.row_hash,
        ranked._run_id,
        ranked._source_file,
        ranked._source_line,
        ranked._ingested_at
    FROM ranked
    WHERE ranked.recency = 1
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
