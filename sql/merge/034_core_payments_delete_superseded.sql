-- Merge step 034: delete the stored payments rows that a newer row of this run replaces.
-- Target grain: one row per payment; key: (order_id, payment_sequential). The stored row is the greatest
-- (effective_at, _source_file, _source_line, row_hash) ever delivered, whatever the order of arrival.
WITH incoming AS (
    SELECT
        order_id,
        payment_sequential,
        effective_at,
        row_hash,
        _source_file,
        _source_line
    FROM staging.payments_newest
    WHERE _run_id = :run_id
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
