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
WITH incoming AS (
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
        row_hash,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at
    FROM staging.orders_newest
    WHERE _run_id = :run_id
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
