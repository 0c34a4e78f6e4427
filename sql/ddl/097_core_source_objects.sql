-- core.source_objects: the versions of raw files the merges loaded, per entity (docs/semantics.md, "Raw zone").
-- The identity of a raw file is its key; its newest version (greatest version_token, sortable as text: upload
-- time in epoch ms, ':', the S3 sequencer) supersedes every row of the older ones in that entity.
-- Grain: one row per (run_id, source_file, entity_name); written by merge/005 (merge_id = the merge that recorded
-- it: a run merged again records nothing, so it neither deletes nor adds rows), read through
-- core.current_source_objects.
CREATE TABLE IF NOT EXISTS core.source_objects (
    source_file VARCHAR(1024) NOT NULL ENCODE ZSTD,
    entity_name VARCHAR(64) NOT NULL ENCODE ZSTD,
    version_token VARCHAR(64) NOT NULL ENCODE ZSTD,
    run_id VARCHAR(128) NOT NULL ENCODE ZSTD,
    merge_id VARCHAR(64) NOT NULL ENCODE ZSTD,
    recorded_at TIMESTAMP NOT NULL ENCODE AZ64
)
DISTKEY (source_file)
COMPOUND SORTKEY (source_file, entity_name);
