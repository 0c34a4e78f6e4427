-- staging.payments, money with 4 decimals (1 of 2): adds payment_value again as DECIMAL(18, 4) (src/contracts/
-- entities.ts, MONEY_TYPE) under a temporary name and copies the staged values into it. Redshift cannot change a
-- DECIMAL column's type, and the table cannot be rebuilt: it is the target of COPY JOB staging_payments. ADD
-- COLUMN puts the new column after the lineage columns, where the curated files now write it (an appended column;
-- COPY maps Parquet columns by position). NOT NULL needs a DEFAULT on Redshift to add the column to a table with
-- rows; COPY always gives every column, so the default is never used. Migration 136 drops the old column and
-- renames the new one (two migrations: the local DuckDB warehouse cannot alter a table after updating it in the
-- same transaction).
LOCK staging.payments;
ALTER TABLE staging.payments ADD COLUMN payment_value_scaled DECIMAL(18, 4) DEFAULT 0 ENCODE AZ64 NOT NULL;
UPDATE staging.payments SET payment_value_scaled = payment_value;
