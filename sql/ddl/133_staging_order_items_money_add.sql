-- staging.order_items, money with 4 decimals (1 of 2): adds unit_price and freight_value again as DECIMAL(18, 4)
-- (src/contracts/entities.ts, MONEY_TYPE) under temporary names and copies the staged values into them. Redshift
-- cannot change a DECIMAL column's type, and the table cannot be rebuilt: it is the target of COPY JOB
-- staging_order_items. ADD COLUMN puts the new columns after the lineage columns, where the curated files now
-- write them (appended columns, in catalogue order; COPY maps Parquet columns by position).
-- NOT NULL needs a DEFAULT on Redshift to add the column to a table with rows; COPY always gives every column, so
-- the default is never used. Migration 134 drops the old columns and renames the new ones (two migrations: the
-- local DuckDB warehouse cannot alter a table after updating it in the same transaction).
LOCK staging.order_items;
ALTER TABLE staging.order_items ADD COLUMN unit_price_scaled DECIMAL(18, 4) DEFAULT 0 ENCODE AZ64 NOT NULL;
ALTER TABLE staging.order_items ADD COLUMN freight_value_scaled DECIMAL(18, 4) DEFAULT 0 ENCODE AZ64 NOT NULL;
UPDATE staging.order_items SET unit_price_scaled = unit_price, freight_value_scaled = freight_value;
