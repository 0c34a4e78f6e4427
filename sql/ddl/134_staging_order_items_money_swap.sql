-- staging.order_items, money with 4 decimals (2 of 2): drops the DECIMAL(12, 2) unit_price and freight_value and
-- gives their names to the DECIMAL(18, 4) columns 133 filled; staging.order_items_newest (101) reads them, so it is
-- dropped first (Redshift refuses to drop a column a view uses) and created again, unchanged, with the new types.
-- Its row_hash now spells money with 4 decimals ('12.3000'): core rows merged before keep their hashes, which
-- only break ties between the rows of one file version, all hashed by the same merge, so no result changes.
-- Grain of the view: one row per (_run_id, order_id, order_item_id, _source_file).
-- Newest = greatest (effective_at, _source_line, row_hash).
LOCK staging.order_items;
DROP VIEW staging.order_items_newest;
ALTER TABLE staging.order_items DROP COLUMN unit_price;
ALTER TABLE staging.order_items DROP COLUMN freight_value;
ALTER TABLE staging.order_items RENAME COLUMN unit_price_scaled TO unit_price;
ALTER TABLE staging.order_items RENAME COLUMN freight_value_scaled TO freight_value;
CREATE VIEW staging.order_items_newest AS
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
-- pipeline_runtime reads the view in the merge (the default privileges of 073 grant it too).
GRANT SELECT ON staging.order_items_newest TO ROLE pipeline_runtime;
