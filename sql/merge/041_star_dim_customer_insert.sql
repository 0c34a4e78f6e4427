-- Merge step 041: rebuild the SCD2 versions of every person this run touched from ALL their observations,
-- so the result depends only on the set of observations, never on the order they arrived in.
-- Target grain: one row per person and version; key: customer_key.
-- Observations are ordered by (effective_at, _source_file, _source_line); a version starts at the first
-- observation and wherever the attributes (zip_code_prefix, city, state, country) change. valid_from = the version's
-- effective_at, except 1900-01-01 for the first version; valid_to = the next version's valid_from, else 9999-12-31.
-- customer_key = hash of (customer_unique_id, valid_from, n-th version starting at that same instant).
INSERT INTO star.dim_customer (
    customer_key,
    customer_unique_id,
    zip_code_prefix,
    city,
    state,
    country,
    version_number,
    valid_from,
    valid_to,
    is_current
)
WITH scope AS (
    SELECT DISTINCT key_value AS customer_unique_id
    FROM staging.merge_scope
    WHERE run_id = :run_id AND scope_kind = 'person'
),

observations AS (
    SELECT
        observed.customer_unique_id,
        observed.zip_code_prefix,
        observed.city,
        observed.state,
        observed.country,
        observed.effective_at,
        observed.attr_hash,
        ROW_NUMBER() OVER (
            PARTITION BY observed.customer_unique_id
            ORDER BY
                observed.effective_at,
                observed._source_file,
                COALESCE(observed._source_line, -1),
                observed.attr_hash,
                observed.customer_id
        ) AS observation_number
    FROM core.customers AS observed
    INNER JOIN scope ON observed.customer_unique_id = scope.customer_unique_id
),

compared AS (
    SELECT
        observations.customer_unique_id,
        observations.zip_code_prefix,
        observations.city,
        observations.state,
        observations.country,
        observations.effective_at,
        observations.attr_hash,
        observations.observation_number,
        LAG(observations.attr_hash) OVER (
            PARTITION BY observations.customer_unique_id
            ORDER BY observations.observation_number
        ) AS previous_hash
    FROM observations
),

version_starts AS (
    SELECT
        compared.customer_unique_id,
        compared.zip_code_prefix,
        compared.city,
        compared.state,
        compared.country,
        compared.effective_at,
        ROW_NUMBER() OVER (
            PARTITION BY compared.customer_unique_id
            ORDER BY compared.observation_number
        ) AS version_number
    FROM compared
    WHERE compared.previous_hash IS NULL OR compared.previous_hash <> compared.attr_hash
),

versions AS (
    SELECT
        version_starts.customer_unique_id,
        version_starts.zip_code_prefix,
        version_starts.city,
        version_starts.state,
        version_starts.country,
        version_starts.version_number,
        CASE
            WHEN version_starts.version_number = 1 THEN CAST('1900-01-01 00:00:00' AS TIMESTAMP)
            ELSE version_starts.effective_at
        END AS valid_from,
        LEAD(version_starts.effective_at) OVER (
            PARTITION BY version_starts.customer_unique_id
            ORDER BY version_starts.version_number
        ) AS next_valid_from
    FROM version_starts
),

final AS (
    SELECT
        versions.customer_unique_id,
        versions.zip_code_prefix,
        versions.city,
        versions.state,
        versions.country,
        versions.version_number,
        versions.valid_from,
        COALESCE(versions.next_valid_from, CAST('9999-12-31 00:00:00' AS TIMESTAMP)) AS valid_to,
        versions.next_valid_from IS NULL AS is_current,
        ROW_NUMBER() OVER (
            PARTITION BY versions.customer_unique_id, versions.valid_from
            ORDER BY versions.version_number
        ) AS same_start_number
    FROM versions
)

SELECT
    STRTOL(
        LEFT(
            MD5(
                final.customer_unique_id
                || '|'
                || CAST(final.valid_from AS VARCHAR)
                || '|'
                || CAST(final.same_start_number AS VARCHAR)
            ),
            15
        ),
        16
    ) AS customer_key,
    final.customer_unique_id,
    final.zip_code_prefix,
    final.city,
    final.state,
    final.country,
    final.version_number,
    final.valid_from,
    final.valid_to,
    final.is_current
FROM final;
