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
WITH incoming AS (
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
        row_hash,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at
    FROM staging.order_items_newest
    WHERE _run_id = :run_id
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
