-- staging.merge_scope: the natural keys one run's merge touches, computed first inside the merge transaction.
-- Grain: one row per (run_id, scope_kind, key_value); scope_kind is person, product, seller or order.
-- Rows of a run are deleted at the end of its merge.
CREATE TABLE IF NOT EXISTS staging.merge_scope (
    run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    scope_kind VARCHAR(16) NOT NULL ENCODE ZSTD,
    key_value VARCHAR(256) NOT NULL ENCODE ZSTD
)
DISTSTYLE EVEN;
