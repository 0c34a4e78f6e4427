-- staging.category_translation: curated rows as published to the load bucket;
-- target of COPY JOB staging_category_translation.
-- Grain: one row per curated row of a run; key: (category_name, _run_id).
-- Columns are the curated Parquet columns in file order (COPY maps them by position). Cleared per run by the merge.
CREATE TABLE IF NOT EXISTS staging.category_translation (
    category_name VARCHAR(256) NOT NULL ENCODE ZSTD,
    category_name_english VARCHAR(256) ENCODE ZSTD,
    effective_at TIMESTAMP NOT NULL ENCODE AZ64,
    _run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    _source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    _source_line INTEGER ENCODE AZ64,
    _ingested_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTSTYLE EVEN;
