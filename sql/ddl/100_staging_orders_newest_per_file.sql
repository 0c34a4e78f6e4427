-- staging.orders_newest, now per source file (replaces ddl/080_staging_orders_newest.sql): the newest staged row per
-- run, key and source file, with its content hash. Rows of different files never supersede each other before the
-- merge: the star takes the newest row per key over core, where a file can be replaced by its newer version
-- (docs/semantics.md, "Warehouse"). Read by the merge's delete and insert steps for one run.
-- Grain: one row per (_run_id, order_id, _source_file).
-- Newest = greatest (effective_at, _source_line, row_hash).
CREATE OR REPLACE VIEW staging.orders_newest AS
WITH staged AS (
    SELECT
        order_id,
        customer_id,
        status,
        purchased_at,
        approved_at,
        delivered_carrier_at,
        delivered_customer_at,
        estimated_delivery_at,
        effective_at,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at,
        MD5(
            COALESCE(order_id, '<null>')
            || '|'
            || COALESCE(customer_id, '<null>')
            || '|'
            || COALESCE(status, '<null>')
            || '|'
            || COALESCE(CAST(purchased_at AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(approved_at AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(delivered_carrier_at AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(delivered_customer_at AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(estimated_delivery_at AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(effective_at AS VARCHAR), '<null>')
        ) AS row_hash
    FROM staging.orders
),

ranked AS (
    SELECT
        staged.order_id,
        staged.customer_id,
        staged.status,
        staged.purchased_at,
        staged.approved_at,
        staged.delivered_carrier_at,
        staged.delivered_customer_at,
        staged.estimated_delivery_at,
        staged.effective_at,
        staged.row_hash,
        staged._run_id,
        staged._source_file,
        staged._source_line,
        staged._ingested_at,
        ROW_NUMBER() OVER (
            PARTITION BY staged._run_id, staged.order_id, staged._source_file
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
    ranked.customer_id,
    ranked.status,
    ranked.purchased_at,
    ranked.approved_at,
    ranked.delivered_carrier_at,
    ranked.delivered_customer_at,
    ranked.estimated_delivery_at,
    ranked.effective_at,
    ranked.row_hash,
    ranked._run_id,
    ranked._source_file,
    ranked._source_line,
    ranked._ingested_at
FROM ranked
WHERE ranked.recency = 1;
