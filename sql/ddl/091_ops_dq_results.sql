-- ops.dq_results: every data-quality rule result of every run (the quality report reports/<run_id>.json),
-- written by RecordRun, so that quality is queryable over time.
-- Grain: one row per (run_id, source_name, rule_name).
CREATE TABLE IF NOT EXISTS ops.dq_results (
    run_id VARCHAR(128) NOT NULL ENCODE RAW,
    evaluated_at TIMESTAMP NOT NULL ENCODE AZ64,
    source_name VARCHAR(128) NOT NULL ENCODE ZSTD,
    source_verdict VARCHAR(16) NOT NULL ENCODE ZSTD,
    rule_name VARCHAR(256) NOT NULL ENCODE ZSTD,
    rule_kind VARCHAR(64) NOT NULL ENCODE ZSTD,
    severity VARCHAR(16) NOT NULL ENCODE ZSTD,
    status VARCHAR(16) NOT NULL ENCODE ZSTD,
    observed DOUBLE PRECISION ENCODE RAW,
    threshold DOUBLE PRECISION ENCODE RAW,
    rows_evaluated BIGINT ENCODE AZ64,
    rows_failed BIGINT ENCODE AZ64,
    detail VARCHAR(4096) ENCODE ZSTD
)
DISTSTYLE EVEN
SORTKEY (evaluated_at, source_name);
