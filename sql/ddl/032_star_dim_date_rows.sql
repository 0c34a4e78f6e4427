-- star.dim_date rows: 10,000 consecutive days from 2010-01-01 (day_of_week: 0 = Sunday). Safe to run again.
-- Grain: one row per calendar day; key: date_key.
INSERT INTO star.dim_date (
    date_key, calendar_date, year_month, is_weekend, year_number, quarter_number, month_number, day_of_month,
    day_of_week
)
WITH digits AS (
    SELECT 0 AS d
    UNION ALL
    SELECT 1
    UNION ALL
    SELECT 2
    UNION ALL
    SELECT 3
    UNION ALL
    SELECT 4
    UNION ALL
    SELECT 5
    UNION ALL
    SELECT 6
    UNION ALL
    SELECT 7
    UNION ALL
    SELECT 8
    UNION ALL
    SELECT 9
),

offsets AS (
    SELECT thousands.d * 1000 + hundreds.d * 100 + tens.d * 10 + ones.d AS day_offset
    FROM digits AS thousands
    CROSS JOIN digits AS hundreds
    CROSS JOIN digits AS tens
    CROSS JOIN digits AS ones
),

days AS (
    SELECT CAST('2010-01-01' AS DATE) + offsets.day_offset AS calendar_date
    FROM offsets
),

parts AS (
    SELECT
        days.calendar_date,
        CAST(EXTRACT(YEAR FROM days.calendar_date) AS INTEGER) AS year_number,
        CAST(EXTRACT(QUARTER FROM days.calendar_date) AS INTEGER) AS quarter_number,
        CAST(EXTRACT(MONTH FROM days.calendar_date) AS INTEGER) AS month_number,
        CAST(EXTRACT(DAY FROM days.calendar_date) AS INTEGER) AS day_of_month,
        CAST(EXTRACT(DOW FROM days.calendar_date) AS INTEGER) AS day_of_week
    FROM days
),

final AS (
    SELECT
        parts.year_number * 10000 + parts.month_number * 100 + parts.day_of_month AS date_key,
        parts.calendar_date,
        parts.year_number,
        parts.quarter_number,
        parts.month_number,
        CAST(parts.year_number AS VARCHAR(4))
        || '-'
        || LPAD(CAST(parts.month_number AS VARCHAR(2)), 2, '0') AS year_month,
        parts.day_of_month,
        parts.day_of_week,
        parts.day_of_week IN (0, 6) AS is_weekend
    FROM parts
)

SELECT
    final.date_key,
    final.calendar_date,
    final.year_month,
    final.is_weekend,
    CAST(final.year_number AS SMALLINT) AS year_number,
    CAST(final.quarter_number AS SMALLINT) AS quarter_number,
    CAST(final.month_number AS SMALLINT) AS month_number,
    CAST(final.day_of_month AS SMALLINT) AS day_of_month,
    CAST(final.day_of_week AS SMALLINT) AS day_of_week
FROM final
LEFT JOIN star.dim_date AS existing ON final.date_key = existing.date_key
WHERE existing.date_key IS NULL;
