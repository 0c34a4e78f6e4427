-- migration: no-transaction
-- staging.sellers.state: VARCHAR(16) -> VARCHAR(64), wide enough for region names as exports spell them, in bytes
-- of UTF-8 (src/contracts/entities.ts, STATE_WIDTH; a longer value is quarantined as too_long before it reaches
-- COPY).
-- Redshift widens a VARCHAR in place, without copying the table, but not inside a transaction block, so this
-- migration runs on its own (the marker on its first line) and is recorded after it succeeded; run again after a
-- failure, it sets the same width again, which changes nothing. The views that read the column were dropped by 132.
ALTER TABLE staging.sellers ALTER COLUMN state TYPE VARCHAR(64);
