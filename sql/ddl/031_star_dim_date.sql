-- star.dim_date: the calendar.
-- Grain: one row per calendar day; key: date_key (YYYYMMDD). Filled by the next migration for 2010-01-01 .. 2037-05-18.
CREATE TABLE IF NOT EXISTS star.dim_date (
    date_key INTEGER NOT NULL ENCODE RAW,
    calendar_date DATE NOT NULL ENCODE AZ64,
    year_number SMALLINT NOT NULL ENCODE AZ64,
    quarter_number SMALLINT NOT NULL ENCODE AZ64,
    month_number SMALLINT NOT NULL ENCODE AZ64,
    year_month CHAR(7) NOT NULL ENCODE ZSTD,
    day_of_month SMALLINT NOT NULL ENCODE AZ64,
    day_of_week SMALLINT NOT NULL ENCODE AZ64,
    is_weekend BOOLEAN NOT NULL
)
DISTSTYLE ALL
SORTKEY (date_key);
