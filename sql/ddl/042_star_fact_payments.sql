-- star.fact_payments: payments with their order's date and customer (point in time).
-- Grain: one row per payment; key: (order_id, payment_sequential). Unknown members are -1.
CREATE TABLE IF NOT EXISTS star.fact_payments (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    payment_sequential INTEGER NOT NULL ENCODE AZ64,
    date_key INTEGER NOT NULL ENCODE RAW,
    customer_key BIGINT NOT NULL ENCODE AZ64,
    payment_type_key BIGINT NOT NULL ENCODE AZ64,
    installments INTEGER ENCODE AZ64,
    payment_value DECIMAL(12, 2) NOT NULL ENCODE AZ64
)
DISTKEY (order_id)
COMPOUND SORTKEY (date_key, order_id);
