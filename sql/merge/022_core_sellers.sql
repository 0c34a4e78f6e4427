-- Merge step 022: add the run's seller observations to core.sellers.
-- Only files whose newest loaded version this run holds (core.current_source_objects) are added: a stale
-- version's rows are discarded. Observations already stored (same identity) are skipped.
-- Target grain: one row per observation;
-- key: (seller_id, effective_at, _source_file, _source_line, attr_hash).
INSERT INTO core.sellers (
    seller_id,
    zip_code_prefix,
    city,
    state,
    effective_at,
    attr_hash,
    _run_id,
    _source_file,
    _source_line,
    _ingested_at
)
WITH staged AS (
    SELECT
        seller_id,
        zip_code_prefix,
        city,
        state,
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
        ) AS attr_hash
    FROM staging.sellers
    WHERE
        _run_id = :run_id
        AND _source_file IN (
            SELECT current_files.source_file
            FROM core.current_source_objects AS current_files
            WHERE
                current_files.run_id = :run_id
                AND current_files.merge_id = :merge_id
                AND current_files.entity_name = 'sellers'
        )
),

ranked AS (
    SELECT
        staged.seller_id,
        staged.zip_code_prefix,
        staged.city,
        staged.state,
        staged.effective_at,
        staged.attr_hash,
        staged._run_id,
        staged._source_file,
        staged._source_line,
        staged._ingested_at,
        ROW_NUMBER() OVER (
            PARTITION BY
                staged.seller_id,
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
        ranked.seller_id,
        ranked.zip_code_prefix,
        ranked.city,
        ranked.state,
        ranked.effective_at,
        ranked.attr_hash,
        ranked._run_id,
        ranked._source_file,
        ranked._source_line,
        ranked._ingested_at
    FROM ranked
    LEFT JOIN core.sellers AS known
        ON
            ranked.seller_id = known.seller_id
            AND ranked.effective_at = known.effective_at
            AND ranked._source_file = known._source_file
            AND COALESCE(ranked._source_line, -1) = COALESCE(known._source_line, -1)
            AND ranked.attr_hash = known.attr_hash
    WHERE ranked.copy_number = 1 AND known.seller_id IS NULL
)

SELECT
    new_observations.seller_id,
    new_observations.zip_code_prefix,
    new_observations.city,
    new_observations.state,
    new_observations.effective_at,
    new_observations.attr_hash,
    new_observations._run_id,
    new_observations._source_file,
    new_observations._source_line,
    new_observations._ingested_at
FROM new_observations;
