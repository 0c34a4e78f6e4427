-- Merge step 030: delete the stored orders rows that a newer row of this run replaces.
-- Target grain: one row per order; key: (order_id). The stored row is the greatest
-- (effective_at, _source_file, _source_line, row_hash) ever delivered, whatever the order of arrival.
WITH incoming AS (
    SELECT
        order_id,
        effective_at,
        row_hash,
        _source_file,
        _source_line
    FROM staging.orders_newest
    WHERE _run_id = :run_id
)

DELETE FROM core.orders
USING incoming
WHERE
    core.orders.order_id = incoming.order_id
    AND (
        incoming.effective_at > core.orders.effective_at
        OR (
            incoming.effective_at = core.orders.effective_at
            AND incoming._source_file > core.orders._source_file
        )
        OR (
            incoming.effective_at = core.orders.effective_at
            AND incoming._source_file = core.orders._source_file
            AND COALESCE(incoming._source_line, -1) > COALESCE(core.orders._source_line, -1)
        )
        OR (
            incoming.effective_at = core.orders.effective_at
            AND incoming._source_file = core.orders._source_file
            AND COALESCE(incoming._source_line, -1) = COALESCE(core.orders._source_line, -1)
            AND incoming.row_hash > core.orders.row_hash
        )
    );
