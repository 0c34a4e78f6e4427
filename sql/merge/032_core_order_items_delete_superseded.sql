-- Merge step 032: delete the stored order_items rows that a newer row of this run replaces.
-- Target grain: one row per order item; key: (order_id, order_item_id). The stored row is the greatest
-- (effective_at, _source_file, _source_line, row_hash) ever delivered, whatever the order of arrival.
WITH incoming AS (
    SELECT
        order_id,
        order_item_id,
        effective_at,
        row_hash,
        _source_file,
        _source_line
    FROM staging.order_items_newest
    WHERE _run_id = :run_id
)

DELETE FROM core.order_items
USING incoming
WHERE
    core.order_items.order_id = incoming.order_id
    AND core.order_items.order_item_id = incoming.order_item_id
    AND (
        incoming.effective_at > core.order_items.effective_at
        OR (
            incoming.effective_at = core.order_items.effective_at
            AND incoming._source_file > core.order_items._source_file
        )
        OR (
            incoming.effective_at = core.order_items.effective_at
            AND incoming._source_file = core.order_items._source_file
            AND COALESCE(incoming._source_line, -1) > COALESCE(core.order_items._source_line, -1)
        )
        OR (
            incoming.effective_at = core.order_items.effective_at
            AND incoming._source_file = core.order_items._source_file
            AND COALESCE(incoming._source_line, -1) = COALESCE(core.order_items._source_line, -1)
            AND incoming.row_hash > core.order_items.row_hash
        )
    );
