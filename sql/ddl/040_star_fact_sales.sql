-- star.fact_sales: order items joined point in time (at the order's purchased_at) to their dimensions.
-- Grain: one row per order item; key: (order_id, order_item_id). Unknown dimension members are -1.
CREATE TABLE IF NOT EXISTS star.fact_sales (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    order_item_id INTEGER NOT NULL ENCODE AZ64,
    date_key INTEGER NOT NULL ENCODE RAW,
    customer_key BIGINT NOT NULL ENCODE AZ64,
    product_key BIGINT NOT NULL ENCODE AZ64,
    seller_key BIGINT NOT NULL ENCODE AZ64,
    quantity INTEGER NOT NULL ENCODE AZ64,
    unit_price DECIMAL(12, 2) NOT NULL ENCODE AZ64,
    revenue DECIMAL(14, 2) NOT NULL ENCODE AZ64,
    freight_value DECIMAL(12, 2) NOT NULL ENCODE AZ64
)
DISTKEY (order_id)
COMPOUND SORTKEY (date_key, order_id);
