-- star.fact_orders: one row per known order with its totals and delivery measures.
-- Grain: one row per order; key: order_id. Unknown customer is -1. delivery_days and delay_days count calendar
-- days (date boundaries) from purchase, and from the estimate, to customer delivery; is_late = delay_days > 0.
CREATE TABLE IF NOT EXISTS star.fact_orders (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    date_key INTEGER NOT NULL ENCODE RAW,
    customer_key BIGINT NOT NULL ENCODE AZ64,
    order_status VARCHAR(32) NOT NULL ENCODE ZSTD,
    purchased_at TIMESTAMP NOT NULL ENCODE AZ64,
    approved_at TIMESTAMP ENCODE AZ64,
    delivered_carrier_at TIMESTAMP ENCODE AZ64,
    delivered_customer_at TIMESTAMP ENCODE AZ64,
    estimated_delivery_at TIMESTAMP ENCODE AZ64,
    item_count INTEGER NOT NULL ENCODE AZ64,
    items_revenue DECIMAL(14, 2) NOT NULL ENCODE AZ64,
    freight_total DECIMAL(14, 2) NOT NULL ENCODE AZ64,
    payments_total DECIMAL(14, 2) NOT NULL ENCODE AZ64,
    delivery_days INTEGER ENCODE AZ64,
    delay_days INTEGER ENCODE AZ64,
    is_late BOOLEAN
)
DISTKEY (order_id)
COMPOUND SORTKEY (date_key, order_id);
