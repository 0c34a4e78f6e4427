-- Merge step 060: record what this run loaded into each staging table, per raw source file, before staging is
-- cleared: row counts and the money sums the reconciliation check compares with the run's metrics.
-- Target grain: one row per (run_id, entity_name, source_file).
INSERT INTO ops.load_audit (
    run_id,
    entity_name,
    source_file,
    rows_loaded,
    unit_price_sum,
    freight_value_sum,
    payment_value_sum,
    merged_at
)
WITH loaded AS (
    SELECT
        'customers' AS entity_name,
        _source_file AS source_file,
        COUNT(*) AS rows_loaded,
        CAST(NULL AS DECIMAL(38, 4)) AS unit_price_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS freight_value_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS payment_value_sum
    FROM staging.customers
    WHERE _run_id = :run_id
    GROUP BY _source_file
    UNION ALL
    SELECT
        'products' AS entity_name,
        _source_file AS source_file,
        COUNT(*) AS rows_loaded,
        CAST(NULL AS DECIMAL(38, 4)) AS unit_price_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS freight_value_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS payment_value_sum
    FROM staging.products
    WHERE _run_id = :run_id
    GROUP BY _source_file
    UNION ALL
    SELECT
        'sellers' AS entity_name,
        _source_file AS source_file,
        COUNT(*) AS rows_loaded,
        CAST(NULL AS DECIMAL(38, 4)) AS unit_price_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS freight_value_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS payment_value_sum
    FROM staging.sellers
    WHERE _run_id = :run_id
    GROUP BY _source_file
    UNION ALL
    SELECT
        'orders' AS entity_name,
        _source_file AS source_file,
        COUNT(*) AS rows_loaded,
        CAST(NULL AS DECIMAL(38, 4)) AS unit_price_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS freight_value_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS payment_value_sum
    FROM staging.orders
    WHERE _run_id = :run_id
    GROUP BY _source_file
    UNION ALL
    SELECT
        'order_items' AS entity_name,
        _source_file AS source_file,
        COUNT(*) AS rows_loaded,
        CAST(SUM(unit_price) AS DECIMAL(38, 4)) AS unit_price_sum,
        CAST(SUM(freight_value) AS DECIMAL(38, 4)) AS freight_value_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS payment_value_sum
    FROM staging.order_items
    WHERE _run_id = :run_id
    GROUP BY _source_file
    UNION ALL
    SELECT
        'payments' AS entity_name,
        _source_file AS source_file,
        COUNT(*) AS rows_loaded,
        CAST(NULL AS DECIMAL(38, 4)) AS unit_price_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS freight_value_sum,
        CAST(SUM(payment_value) AS DECIMAL(38, 4)) AS payment_value_sum
    FROM staging.payments
    WHERE _run_id = :run_id
    GROUP BY _source_file
    UNION ALL
    SELECT
        'category_translation' AS entity_name,
        _source_file AS source_file,
        COUNT(*) AS rows_loaded,
        CAST(NULL AS DECIMAL(38, 4)) AS unit_price_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS freight_value_sum,
        CAST(NULL AS DECIMAL(38, 4)) AS payment_value_sum
    FROM staging.category_translation
    WHERE _run_id = :run_id
    GROUP BY _source_file
)

SELECT
    CAST(:run_id AS VARCHAR(128)) AS run_id,
    loaded.entity_name,
    loaded.source_file,
    loaded.rows_loaded,
    loaded.unit_price_sum,
    loaded.freight_value_sum,
    loaded.payment_value_sum,
    GETDATE() AS merged_at
FROM loaded;
