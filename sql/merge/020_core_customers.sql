-- Merge step 020: add the run's customer observations (the person's addresses over time) to core.customers.
-- Only files whose newest loaded version this run holds (core.current_source_objects) are added: a stale
-- version's rows are discarded. Observations already stored (same identity) are skipped.
-- Target grain: one row per observation;
-- key: (customer_id, customer_unique_id, effective_at, _source_file, _source_line, attr_hash).
-- attr_hash = MD5 of the SCD2 attributes (zip_code_prefix, city, state, then country when it is not NULL: an
-- observation without a country hashes as it did before the column existed).
INSERT INTO core.customers (
    customer_id,
    customer_unique_id,
    zip_code_prefix,
    city,
    state,
    country,
    effective_at,
    attr_hash,
    _run_id,
    _source_file,
    _source_line,
    _ingested_at
)
WITH staged AS (
    SELECT
        customer_id,
        customer_unique_id,
        zip_code_prefix,
        city,
        state,
        country,
        effective_at,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at,
        MD5(
            COALESCE(zip_code_prefix, '<null>')
            || '|'
            || COALESCE(city, '<null>')
            || '|'
            || COALESCE(state, '<null>')
            || CASE WHEN country IS NULL THEN '' ELSE '|' || country END
        ) AS attr_hash
    FROM staging.customers
    WHERE
        _run_id = :run_id
        AND _source_file IN (
            SELECT current_files.source_file
            FROM core.current_source_objects AS current_files
            WHERE
                current_files.run_id = :run_id
                AND current_files.merge_id = :merge_id
                AND current_files.entity_name = 'customers'
        )
),

ranked AS (
    SELECT
        staged.customer_id,
        staged.customer_unique_id,
        staged.zip_code_prefix,
        staged.city,
        staged.state,
        staged.country,
        staged.effective_at,
        staged.attr_hash,
        staged._run_id,
        staged._source_file,
        staged._source_line,
        staged._ingested_at,
        ROW_NUMBER() OVER (
            PARTITION BY
                staged.customer_id,
                staged.customer_unique_id,
                staged.effective_at,
                staged._source_file,
                staged._source_line,
                staged.attr_hash
            ORDER BY staged._ingested_at
        ) AS copy_number
    FROM staged
),

new_observations AS (
    SELECT
        ranked.customer_id,
        ranked.customer_unique_id,
        ranked.zip_code_prefix,
        ranked.city,
        ranked.state,
        ranked.country,
        ranked.effective_at,
        ranked.attr_hash,
        ranked._run_id,
        ranked._source_file,
        ranked._source_line,
        ranked._ingested_at
    FROM ranked
    LEFT JOIN core.customers AS known
        ON
            ranked.customer_id = known.customer_id
            AND ranked.customer_unique_id = known.customer_unique_id
            AND ranked.effective_at = known.effective_at
            AND ranked._source_file = known._source_file
            AND COALESCE(ranked._source_line, -1) = COALESCE(known._source_line, -1)
            AND ranked.attr_hash = known.attr_hash
    WHERE ranked.copy_number = 1 AND known.customer_id IS NULL
)

SELECT
    new_observations.customer_id,
    new_observations.customer_unique_id,
    new_observations.zip_code_prefix,
    new_observations.city,
    new_observations.state,
    new_observations.country,
    new_observations.effective_at,
    new_observations.attr_hash,
    new_observations._run_id,
    new_observations._source_file,
    new_observations._source_line,
    new_observations._ingested_at
FROM new_observations;
