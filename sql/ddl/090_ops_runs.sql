-- ops.runs: one row per pipeline run, the summary of its run record (runs/<run_id>.json in the curated bucket),
-- written by RecordRun at the end of every execution, whatever its outcome.
-- Grain: one row per run_id (a run recorded again, after a redrive, replaces its row).
CREATE TABLE IF NOT EXISTS ops.runs (
    run_id VARCHAR(128) NOT NULL ENCODE RAW,
    status VARCHAR(32) NOT NULL ENCODE ZSTD,
    started_at TIMESTAMP NOT NULL ENCODE AZ64,
    recorded_at TIMESTAMP NOT NULL ENCODE AZ64,
    run_trigger VARCHAR(64) ENCODE ZSTD,
    files INTEGER NOT NULL ENCODE AZ64,
    sources VARCHAR(1024) ENCODE ZSTD,
    quality_verdict VARCHAR(16) ENCODE ZSTD,
    rows_read BIGINT ENCODE AZ64,
    rows_quarantined BIGINT ENCODE AZ64,
    rows_curated BIGINT ENCODE AZ64,
    error_name VARCHAR(256) ENCODE ZSTD,
    error_cause VARCHAR(4096) ENCODE ZSTD,
    record_uri VARCHAR(1024) NOT NULL ENCODE ZSTD
)
DISTSTYLE ALL
SORTKEY (started_at);
