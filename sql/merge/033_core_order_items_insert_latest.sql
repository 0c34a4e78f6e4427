-- Merge step 033: insert this run's order_items rows of the files whose newest loaded version it holds (step 032
-- deleted their older rows; a stale version's rows are discarded): its newest row per key and file.
-- Target grain: one row per (order_id, order_item_id, _source_file), the newest
-- (effective_at, _source_line, row_hash) of the file's latest version.
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
    WHERE
        _run_id = :run_id
        AND _source_file IN (
            SELECT current_files.source_file
            FROM core.current_source_objects AS current_files
            WHERE
                current_files.run_id = :run_id
                AND current_files.merge_id = :merge_id
                AND current_files.entity_name = 'order_items'
        )
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
FROM incoming;
