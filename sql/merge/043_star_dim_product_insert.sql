-- Merge step 043: rebuild the SCD2 versions of every product this run touched from ALL its observations,
-- with the English category name of the latest translation (not versioned: re-resolved when one arrives).
-- Target grain: one row per product and version; key: product_key.
-- Observations are ordered by (effective_at, _source_file, _source_line); a version starts at the first
-- observation and wherever the attributes (category_name, name_length, description_length, photos_qty, weight_g,
-- length_cm, height_cm, width_cm, product_name, product_description: core.products.attr_hash) change.
-- valid_from = the version's effective_at, except 1900-01-01 for the first version; valid_to = the next
-- version's valid_from, else 9999-12-31.
-- product_key = hash of (product_id, valid_from, n-th version starting at that same instant).
INSERT INTO star.dim_product (
    product_key,
    product_id,
    category_name,
    category_name_english,
    name_length,
    description_length,
    photos_qty,
    weight_g,
    length_cm,
    height_cm,
    width_cm,
    product_name,
    product_description,
    version_number,
    valid_from,
    valid_to,
    is_current
)
WITH scope AS (
    SELECT DISTINCT key_value AS product_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'product'
),

observations AS (
    SELECT
        observed.product_id,
        observed.category_name,
        observed.name_length,
        observed.description_length,
        observed.photos_qty,
        observed.weight_g,
        observed.length_cm,
        observed.height_cm,
        observed.width_cm,
        observed.product_name,
        observed.product_description,
        observed.effective_at,
        observed.attr_hash,
        ROW_NUMBER() OVER (
            PARTITION BY observed.product_id
            ORDER BY
                observed.effective_at,
                observed._source_file,
                COALESCE(observed._source_line, -1),
                observed.attr_hash
        ) AS observation_number
    FROM core.products AS observed
    INNER JOIN scope ON observed.product_id = scope.product_id
),

compared AS (
    SELECT
        observations.product_id,
        observations.category_name,
        observations.name_length,
        observations.description_length,
        observations.photos_qty,
        observations.weight_g,
        observations.length_cm,
        observations.height_cm,
        observations.width_cm,
        observations.product_name,
        observations.product_description,
        observations.effective_at,
        observations.attr_hash,
        observations.observation_number,
        LAG(observations.attr_hash) OVER (
            PARTITION BY observations.product_id
            ORDER BY observations.observation_number
        ) AS previous_hash
    FROM observations
),

version_starts AS (
    SELECT
        compared.product_id,
        compared.category_name,
        compared.name_length,
        compared.description_length,
        compared.photos_qty,
        compared.weight_g,
        compared.length_cm,
        compared.height_cm,
        compared.width_cm,
        compared.product_name,
        compared.product_description,
        compared.effective_at,
        ROW_NUMBER() OVER (
            PARTITION BY compared.product_id
            ORDER BY compared.observation_number
        ) AS version_number
    FROM compared
    WHERE compared.previous_hash IS NULL OR compared.previous_hash <> compared.attr_hash
),

versions AS (
    SELECT
        version_starts.product_id,
        version_starts.category_name,
        version_starts.name_length,
        version_starts.description_length,
        version_starts.photos_qty,
        version_starts.weight_g,
        version_starts.length_cm,
        version_starts.height_cm,
        version_starts.width_cm,
        version_starts.product_name,
        version_starts.product_description,
        version_starts.version_number,
        CASE
            WHEN version_starts.version_number = 1 THEN CAST('1900-01-01 00:00:00' AS TIMESTAMP)
            ELSE version_starts.effective_at
        END AS valid_from,
        LEAD(version_starts.effective_at) OVER (
            PARTITION BY version_starts.product_id
            ORDER BY version_starts.version_number
        ) AS next_valid_from
    FROM version_starts
),

translations AS (
    SELECT
        observed.category_name,
        observed.category_name_english,
        ROW_NUMBER() OVER (
            PARTITION BY observed.category_name
            ORDER BY
                observed.effective_at DESC,
                observed._source_file DESC,
                COALESCE(observed._source_line, -1) DESC,
                observed.attr_hash DESC
        ) AS recency
    FROM core.category_translation AS observed
),

final AS (
    SELECT
        versions.product_id,
        versions.category_name,
        translations.category_name_english,
        versions.name_length,
        versions.description_length,
        versions.photos_qty,
        versions.weight_g,
        versions.length_cm,
        versions.height_cm,
        versions.width_cm,
        versions.product_name,
        versions.product_description,
        versions.version_number,
        versions.valid_from,
        COALESCE(versions.next_valid_from, CAST('9999-12-31 00:00:00' AS TIMESTAMP)) AS valid_to,
        versions.next_valid_from IS NULL AS is_current,
        ROW_NUMBER() OVER (
            PARTITION BY versions.product_id, versions.valid_from
            ORDER BY versions.version_number
        ) AS same_start_number
    FROM versions
    LEFT JOIN translations
        ON versions.category_name = translations.category_name AND translations.recency = 1
)

SELECT
    STRTOL(
        LEFT(
            MD5(
                final.product_id
                || '|'
                || CAST(final.valid_from AS VARCHAR)
                || '|'
                || CAST(final.same_start_number AS VARCHAR)
            ),
            15
        ),
        16
    ) AS product_key,
    final.product_id,
    final.category_name,
    final.category_name_english,
    final.name_length,
    final.description_length,
    final.photos_qty,
    final.weight_g,
    final.length_cm,
    final.height_cm,
    final.width_cm,
    final.product_name,
    final.product_description,
    final.version_number,
    final.valid_from,
    final.valid_to,
    final.is_current
FROM final;
