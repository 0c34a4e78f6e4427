-- Merge step 031: insert this run's newest orders rows for keys with no stored row left
-- (new keys, and keys whose older row step 030 deleted).
-- Target grain: one row per order; key: (order_id). The stored row is the greatest
-- (effective_at, _source_file, _source_line, row_hash) ever delivered, whatever the order of arrival.
INSERT INTO core.orders (
    order_id,
    customer_id,
    status,
    purchased_at,
    approved_at,
    delivered_carrier_at,
    delivered_customer_at,
    estimated_delivery_at,
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
    WHERE _run_id = :run_id
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
            PARTITION BY staged.order_id
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
    WHERE ranked.recency = 1
)

SELECT
    incoming.order_id,
    incoming.customer_id,
    incoming.status,
    incoming.purchased_at,
    incoming.approved_at,
    incoming.delivered_carrier_at,
    incoming.delivered_customer_at,
    incoming.estimated_delivery_at,
    incoming.effective_at,
    incoming.row_hash,
    incoming._run_id,
    incoming._source_file,
    incoming._source_line,
    incoming._ingested_at
FROM incoming
LEFT JOIN core.orders AS known
    ON incoming.order_id = known.order_id
WHERE known.order_id IS NULL;
