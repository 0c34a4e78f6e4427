-- Merge step 021: add the run's product observations to core.products.
-- Only files whose newest loaded version this run holds (core.current_source_objects) are added: a stale
-- version's rows are discarded. Observations already stored (same identity) are skipped.
-- Target grain: one row per observation;
-- key: (product_id, effective_at, _source_file, _source_line, attr_hash).
-- attr_hash = MD5 of the SCD2 attributes (category_name, name_length, description_length, photos_qty, weight_g,
-- length_cm, height_cm, width_cm, then product_name and product_description when either is not NULL: an
-- observation without them hashes as it did before product_description existed).
INSERT INTO core.products (
    product_id,
    product_name,
    category_name,
    category_name_english,
    name_length,
    description_length,
    photos_qty,
    weight_g,
    length_cm,
    height_cm,
    width_cm,
    product_description,
    effective_at,
    attr_hash,
    _run_id,
    _source_file,
    _source_line,
    _ingested_at
)
WITH staged AS (
    SELECT
        product_id,
        product_name,
        category_name,
        category_name_english,
        name_length,
        description_length,
        photos_qty,
        weight_g,
        length_cm,
        height_cm,
        width_cm,
        product_description,
        effective_at,
        _run_id,
        _source_file,
        _source_line,
        _ingested_at,
        MD5(
            COALESCE(category_name, '<null>')
            || '|'
            || COALESCE(CAST(name_length AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(description_length AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(photos_qty AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(weight_g AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(length_cm AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(height_cm AS VARCHAR), '<null>')
            || '|'
            || COALESCE(CAST(width_cm AS VARCHAR), '<null>')
            || CASE
                WHEN product_name IS NULL AND product_description IS NULL THEN ''
                ELSE '|' || COALESCE(product_name, '<null>') || '|' || COALESCE(product_description, '<null>')
            END
        ) AS attr_hash
    FROM staging.products
    WHERE
        _run_id = :run_id
        AND _source_file IN (
            SELECT current_files.source_file
            FROM core.current_source_objects AS current_files
            WHERE
                current_files.run_id = :run_id
                AND current_files.merge_id = :merge_id
                AND current_files.entity_name = 'products'
        )
),

ranked AS (
    SELECT
        staged.product_id,
        staged.product_name,
        staged.category_name,
        staged.category_name_english,
        staged.name_length,
        staged.description_length,
        staged.photos_qty,
        staged.weight_g,
        staged.length_cm,
        staged.height_cm,
        staged.width_cm,
        staged.product_description,
        staged.effective_at,
        staged.attr_hash,
        staged._run_id,
        staged._source_file,
        staged._source_line,
        staged._ingested_at,
        ROW_NUMBER() OVER (
            PARTITION BY
                staged.product_id,
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
        ranked.product_id,
        ranked.product_name,
        ranked.category_name,
        ranked.category_name_english,
        ranked.name_length,
        ranked.description_length,
        ranked.photos_qty,
        ranked.weight_g,
        ranked.length_cm,
        ranked.height_cm,
        ranked.width_cm,
        ranked.product_description,
        ranked.effective_at,
        ranked.attr_hash,
        ranked._run_id,
        ranked._source_file,
        ranked._source_line,
        ranked._ingested_at
    FROM ranked
    LEFT JOIN core.products AS known
        ON
            ranked.product_id = known.product_id
            AND ranked.effective_at = known.effective_at
            AND ranked._source_file = known._source_file
            AND COALESCE(ranked._source_line, -1) = COALESCE(known._source_line, -1)
            AND ranked.attr_hash = known.attr_hash
    WHERE ranked.copy_number = 1 AND known.product_id IS NULL
)

SELECT
    new_observations.product_id,
    new_observations.product_name,
    new_observations.category_name,
    new_observations.category_name_english,
    new_observations.name_length,
    new_observations.description_length,
    new_observations.photos_qty,
    new_observations.weight_g,
    new_observations.length_cm,
    new_observations.height_cm,
    new_observations.width_cm,
    new_observations.product_description,
    new_observations.effective_at,
    new_observations.attr_hash,
    new_observations._run_id,
    new_observations._source_file,
    new_observations._source_line,
    new_observations._ingested_at
FROM new_observations;
