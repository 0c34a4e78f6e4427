-- star.dim_payment_type: every payment type ever delivered in a curated payments row.
-- Grain: one row per payment type; key: payment_type_key = hash of payment_type.
CREATE TABLE IF NOT EXISTS star.dim_payment_type (
    payment_type_key BIGINT NOT NULL ENCODE AZ64,
    payment_type VARCHAR(32) NOT NULL ENCODE RAW
)
DISTSTYLE ALL
SORTKEY (payment_type);
