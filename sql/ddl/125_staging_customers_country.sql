-- staging.customers.country: the customer's country, for sources outside one country (entity column
-- customers.country, optional: NULL when a contract does not map it). Appended after the lineage columns, as
-- curated files write it (COPY maps Parquet columns by position; src/contracts/entities.ts, curatedColumns).
ALTER TABLE staging.customers ADD COLUMN country VARCHAR(64) ENCODE ZSTD;
