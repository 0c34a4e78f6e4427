-- ops.run_balance: the row balance of each recorded run, checkable in SQL: every row the run read is curated
-- (a source row that reached at least one entity), quarantined, an exact duplicate, superseded, or filtered.
-- balanced is TRUE when the parts add up to rows_read, FALSE when they do not, and NULL when the run has no
-- complete balance (it failed before Spark's metrics, or it was recorded before the columns of 120-122 existed).
-- Grain: one row per run_id of ops.runs.
CREATE OR REPLACE VIEW ops.run_balance AS
WITH runs AS (
    SELECT
        run_id,
        status,
        started_at,
        rows_read,
        rows_curated,
        rows_quarantined,
        rows_exact_duplicates,
        rows_superseded,
        rows_filtered
    FROM ops.runs
),

final AS (
    SELECT
        run_id,
        status,
        started_at,
        rows_read,
        rows_curated,
        rows_quarantined,
        rows_exact_duplicates,
        rows_superseded,
        rows_filtered,
        rows_curated + rows_quarantined + rows_exact_duplicates + rows_superseded + rows_filtered AS rows_accounted,
        CASE
            WHEN
                rows_read IS NULL
                OR rows_curated IS NULL
                OR rows_quarantined IS NULL
                OR rows_exact_duplicates IS NULL
                OR rows_superseded IS NULL
                OR rows_filtered IS NULL
                THEN NULL
            WHEN
                rows_read
                = rows_curated + rows_quarantined + rows_exact_duplicates + rows_superseded + rows_filtered
                THEN TRUE
            ELSE FALSE
        END AS balanced
    FROM runs
)

SELECT * FROM final;
