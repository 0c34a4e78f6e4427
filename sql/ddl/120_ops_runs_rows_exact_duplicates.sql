-- ops.runs.rows_exact_duplicates: rows of the run's files dropped as exact duplicates of a kept row (same entity
-- columns), summed over sources. NULL for runs recorded before this column existed.
-- The recorder's table grant (094) covers the new column.
ALTER TABLE ops.runs ADD COLUMN rows_exact_duplicates BIGINT ENCODE AZ64;
