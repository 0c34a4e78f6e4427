-- ops.runs.rows_filtered: rows of the run's files that every feed's filter rejected, summed over sources. NULL for
-- runs recorded before this column existed. From this migration on, ops.runs.rows_curated counts SOURCE rows that
-- reached at least one entity (a row feeding several entities counts once), so that
-- rows_read = rows_curated + rows_quarantined + rows_exact_duplicates + rows_superseded + rows_filtered.
ALTER TABLE ops.runs ADD COLUMN rows_filtered BIGINT ENCODE AZ64;
