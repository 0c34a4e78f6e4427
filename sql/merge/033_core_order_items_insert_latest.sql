-- Merge step 033: insert this run's newest order_items rows for keys with no stored row left
-- (new keys, and keys whose older row step 032 deleted).
-- Target grain: one row per order item; key: (order_id, order_item_id). The stored row is the greatest
-- (effective_at, _source_file, _source_line, row_hash) ever delivered, whatever the order of arrival.
INSERT INTO core.order_items (
    order_id,
    order_item_id,
    product_id,
    seller_id,
    shipping_limit_at,
    quantity,
    unit_price,
    freight_value,
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

SELECT
    incoming.order_id,
    incoming.order_item_id,
    incoming.product_id,
    incoming.seller_id,
    incoming.shipping_limit_at,
    incoming.quantity,
    incoming.unit_price,
    incoming.freight_value,
    incoming.effective_at,
    incoming.row_hash,
    incoming._run_id,
    incoming._source_file,
    incoming._source_line,
    incoming._ingested_at
FROM incoming
LEFT JOIN core.order_items AS known
    ON incoming.order_id = known.order_id AND incoming.order_item_id = known.order_item_id
WHERE known.order_id IS NULL;
