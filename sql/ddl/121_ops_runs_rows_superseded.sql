-- ops.runs.rows_superseded: rows of the run's files dropped because a later row of the same file and key won
-- (docs/semantics.md, "Deduplication"), summed over sources. NULL for runs recorded before this column existed.
ALTER TABLE ops.runs ADD COLUMN rows_superseded BIGINT ENCODE AZ64;
