-- core.current_source_objects: the loaded file versions that no loaded version of the same file and entity beats,
-- with the runs (and merges) that loaded them. A run whose file is here holds its newest version: its first
-- merge replaces the file's older rows with the run's. A run whose file is not here holds a stale version: its
-- rows of that file are discarded.
-- Grain: one row per (run_id, source_file, entity_name) of core.source_objects whose version_token is the
-- greatest of its (source_file, entity_name).
CREATE OR REPLACE VIEW core.current_source_objects AS
SELECT
    loaded.run_id,
    loaded.merge_id,
    loaded.source_file,
    loaded.entity_name,
    loaded.version_token
FROM core.source_objects AS loaded
LEFT JOIN core.source_objects AS newer
    ON
        loaded.source_file = newer.source_file
        AND loaded.entity_name = newer.entity_name
        AND loaded.version_token < newer.version_token
WHERE newer.source_file IS NULL;
