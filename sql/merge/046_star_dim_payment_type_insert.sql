-- Merge step 046: add every payment type this run delivers that dim_payment_type lacks. The dimension is the set
-- of types ever delivered, so it does not depend on the order of runs.
-- Target grain: one row per payment type; key: payment_type_key = hash of payment_type.
INSERT INTO star.dim_payment_type (payment_type_key, payment_type)
WITH staged AS (
    SELECT DISTINCT payment_type
    FROM staging.payments
    WHERE _run_id = :run_id
)

SELECT
    STRTOL(LEFT(MD5(staged.payment_type), 15), 16) AS payment_type_key,
    staged.payment_type
FROM staged
LEFT JOIN star.dim_payment_type AS known ON staged.payment_type = known.payment_type
WHERE known.payment_type IS NULL;
