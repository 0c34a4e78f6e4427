-- staging.order_items_newest, now per source file (replaces ddl/081_staging_order_items_newest.sql):
-- the newest staged row per run, key and source file, with its content hash. Rows of different files never
-- supersede each other before the merge: the star takes the newest row per key over core, where a file can be
-- replaced by its newer version (docs/semantics.md, "Warehouse"). Read by the merge's delete and insert steps.
-- Grain: one row per (_run_id, order_id, order_item_id, _source_file).
-- Newest = greatest (effective_at, _source_line, row_hash).
CREATE OR REPLACE VIEW staging.order_items_newest AS
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
            PARTITION BY staged._run_id, staged.order_id, staged.order_item_id, staged._source_file
            ORDER BY
                staged.effective_at DESC,
                staged._source_file DESC,
                COALESCE(staged._source_line, -1) DESC,
                staged.row_hash DESC
        ) AS recency
    FROM staged
)

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
WHERE ranked.recency = 1;
