-- Merge step 032: delete the stored order_items rows that a newer row of this run replaces.
-- Target grain: one row per order item; key: (order_id, order_item_id). The stored row is the greatest
-- (effective_at, _source_file, _source_line, row_hash) ever delivered, whatever the order of arrival.
WITH staged AS (
    SELECT
        order_id,
        order_item_id,
        product_id,
        seller_id,
        shipping_limit_at,
        quantity,
        unit_price,
        freight_value,
        effective_at,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at,
        MD5(
            COALESCE(order_id, '<null>')
            || '|'
            || COALESCE(CAST(order_item_id AS VARCHAR), '<null>')
            || '|'
            || COALESCE(product_id, '<null>')
            || '|'
            || COALESCE(seller_id, '<null>')
            || '|'
            || COALESCE(CAST(shipping_limit_at AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(quantity AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(unit_price AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(freight_value AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(effective_at AS VARCHAR), '<null>')
        ) AS row_hash
    FROM staging.order_items
    WHERE _run_id = :run_id
),

ranked AS (
    SELECT
        staged.order_id,
        staged.order_item_id,
        staged.product_id,
        staged.seller_id,
        staged.shipping_limit_at,
        staged.quantity,
        staged.unit_price,
        staged.freight_value,
        staged.effective_at,
        staged.row_hash,
        staged._run_id,
        staged._source_file,
        staged._source_line,
        staged._ingested_at,
        ROW_NUMBER() OVER (
            PARTITION BY staged.order_id, staged.order_item_id
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
        ranked.order_item_id,
        ranked.product_id,
        ranked.seller_id,
        ranked.shipping_limit_at,
        ranked.quantity,
        ranked.unit_price,
        ranked.freight_value,
        ranked.effective_at,
        ranked.row_hash,
        ranked._run_id,
        ranked._source_file,
        ranked._source_line,
        ranked._ingested_at
    FROM ranked
    WHERE ranked.recency = 1
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
