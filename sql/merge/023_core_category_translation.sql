-- Merge step 023: add the run's category translation observations to core.category_translation.
-- Only files whose newest loaded version this run holds (core.current_source_objects) are added: a stale
-- version's rows are discarded. Observations already stored (same identity) are skipped.
-- Target grain: one row per observation;
-- key: (category_name, effective_at, _source_file, _source_line, attr_hash).
INSERT INTO core.category_translation (
    category_name,
    category_name_english,
    effective_at,
    attr_hash,
    _run_id,
    _source_file,
    _source_line,
    _ingested_at
)
WITH staged AS (
    SELECT
        category_name,
        category_name_english,
        effective_at,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at,
        MD5(
            COALESCE(category_name_english, '<null>')
        ) AS attr_hash
    FROM staging.category_translation
    WHERE
        _run_id = :run_id
        AND _source_file IN (
            SELECT current_files.source_file
            FROM core.current_source_objects AS current_files
            WHERE
                current_files.run_id = :run_id
                AND current_files.merge_id = :merge_id
                AND current_files.entity_name = 'category_translation'
        )
),

ranked AS (
    SELECT
        staged.category_name,
        staged.category_name_english,
        staged.effective_at,
        staged.attr_hash,
        staged._run_id,
        staged._source_file,
        staged._source_line,
        staged._ingested_at,
        ROW_NUMBER() OVER (
            PARTITION BY
                staged.category_name,
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
        ranked.category_name,
        ranked.category_name_english,
        ranked.effective_at,
        ranked.attr_hash,
        ranked._run_id,
        ranked._source_file,
        ranked._source_line,
        ranked._ingested_at
    FROM ranked
    LEFT JOIN core.category_translation AS known
        ON
            ranked.category_name = known.category_name
            AND ranked.effective_at = known.effective_at
            AND ranked._source_file = known._source_file
            AND COALESCE(ranked._source_line, -1) = COALESCE(known._source_line, -1)
            AND ranked.attr_hash = known.attr_hash
    WHERE ranked.copy_number = 1 AND known.category_name IS NULL
)

SELECT
    new_observations.category_name,
    new_observations.category_name_english,
    new_observations.effective_at,
    new_observations.attr_hash,
    new_observations._run_id,
    new_observations._source_file,
    new_observations._source_line,
    new_observations._ingested_at
FROM new_observations;
