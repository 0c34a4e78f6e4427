-- staging.payments_newest, now per source file (replaces ddl/082_staging_payments_newest.sql):
-- the newest staged row per run, key and source file, with its content hash. Rows of different files never
-- supersede each other before the merge: the star takes the newest row per key over core, where a file can be
-- replaced by its newer version (docs/semantics.md, "Warehouse"). Read by the merge's delete and insert steps.
-- Grain: one row per (_run_id, order_id, payment_sequential, _source_file).
-- Newest = greatest (effective_at, _source_line, row_hash).
CREATE OR REPLACE VIEW staging.payments_newest AS
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
