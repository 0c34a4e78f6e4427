-- staging.payments, money with 4 decimals (2 of 2): drops the DECIMAL(12, 2) payment_value and gives its name to
-- the DECIMAL(18, 4) column 135 filled; staging.payments_newest (102) reads it, so it is dropped first (Redshift
-- refuses to drop a column a view uses) and created again, unchanged, with the new type. Its row_hash now spells
-- money with 4 decimals ('12.3000'): core rows merged before keep their hashes, which only break ties between
-- the rows of one file version, all hashed by the same merge, so no result changes.
-- Grain of the view: one row per (_run_id, order_id, payment_sequential, _source_file).
-- Newest = greatest (effective_at, _source_line, row_hash).
LOCK staging.payments;
DROP VIEW staging.payments_newest;
ALTER TABLE staging.payments DROP COLUMN payment_value;
ALTER TABLE staging.payments RENAME COLUMN payment_value_scaled TO payment_value;
CREATE VIEW staging.payments_newest AS
WITH staged AS (
    SELECT
        order_id,
        payment_sequential,
        payment_type,
        installments,
        payment_value,
        effective_at,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at,
        MD5(
            COALESCE(order_id, '<null>')
            || '|'
            || COALESCE(CAST(payment_sequential AS VARCHAR), '<null>')
            || '|'
            || COALESCE(payment_type, '<null>')
            || '|'
            || COALESCE(CAST(installments AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(payment_value AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(effective_at AS VARCHAR), '<null>')
        ) AS row_hash
    FROM staging.payments
),

ranked AS (
    SELECT
        staged.order_id,
        staged.payment_sequential,
        staged.payment_type,
        staged.installments,
        staged.payment_value,
        staged.effective_at,
        staged.row_hash,
        staged._run_id,
        staged._source_file,
        staged._source_line,
        staged._ingested_at,
        ROW_NUMBER() OVER (
            PARTITION BY staged._run_id, staged.order_id, staged.payment_sequential, staged._source_file
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
    ranked.payment_sequential,
    ranked.payment_type,
    ranked.installments,
    ranked.payment_value,
    ranked.effective_at,
    ranked.row_hash,
    ranked._run_id,
    ranked._source_file,
    ranked._source_line,
    ranked._ingested_at
FROM ranked
WHERE ranked.recency = 1;
-- pipeline_runtime reads the view in the merge (the default privileges of 073 grant it too).
GRANT SELECT ON staging.payments_newest TO ROLE pipeline_runtime;
