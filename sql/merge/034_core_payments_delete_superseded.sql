-- Merge step 034: delete the stored payments rows that a newer row of this run replaces.
-- Target grain: one row per payment; key: (order_id, payment_sequential). The stored row is the greatest
-- (effective_at, _source_file, _source_line, row_hash) ever delivered, whatever the order of arrival.
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

DELETE FROM core.payments
USING incoming
WHERE
    core.payments.order_id = incoming.order_id
    AND core.payments.payment_sequential = incoming.payment_sequential
    AND (
        incoming.effective_at > core.payments.effective_at
        OR (
            incoming.effective_at = core.payments.effective_at
            AND incoming._source_file > core.payments._source_file
        )
        OR (
            incoming.effective_at = core.payments.effective_at
            AND incoming._source_file = core.payments._source_file
            AND COALESCE(incoming._source_line, -1) > COALESCE(core.payments._source_line, -1)
        )
        OR (
            incoming.effective_at = core.payments.effective_at
            AND incoming._source_file = core.payments._source_file
            AND COALESCE(incoming._source_line, -1) = COALESCE(core.payments._source_line, -1)
            AND incoming.row_hash > core.payments.row_hash
        )
    );
