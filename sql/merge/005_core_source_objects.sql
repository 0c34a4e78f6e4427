-- Merge step 005: record the raw file versions this run loads, one row per file and published entity (the Merge
-- task's objects; the merge plan repeats the `run_objects` row below once per object, joined by UNION ALL, and
-- leaves the step out when there is none). Later steps read core.current_source_objects: a file of the run found
-- there holds its newest version and replaces the file's older rows; any other file of the run is stale.
-- Target grain: one row per (run_id, source_file, entity_name). A run merged again adds nothing, so the later steps,
-- which act on this merge's rows (:merge_id, new per merge), neither delete nor add rows for it.
INSERT INTO core.source_objects (source_file, entity_name, version_token, run_id, merge_id, recorded_at)
WITH run_objects AS (
    SELECT
        CAST(:source_file AS VARCHAR(1024)) AS source_file,
        CAST(:entity_name AS VARCHAR(64)) AS entity_name,
        CAST(:version AS VARCHAR(64)) AS version_token
),

new_objects AS (
    SELECT DISTINCT
        run_objects.source_file,
        run_objects.entity_name,
        run_objects.version_token
    FROM run_objects
    LEFT JOIN core.source_objects AS known
        ON
            run_objects.source_file = known.source_file
            AND run_objects.entity_name = known.entity_name
            AND known.run_id = :run_id
    WHERE known.run_id IS NULL
)

SELECT
    new_objects.source_file,
    new_objects.entity_name,
    new_objects.version_token,
    CAST(:run_id AS VARCHAR(128)) AS run_id,
    CAST(:merge_id AS VARCHAR(64)) AS merge_id,
    GETDATE() AS recorded_at
FROM new_objects;
