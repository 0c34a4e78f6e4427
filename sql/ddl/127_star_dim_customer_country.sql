-- star.dim_customer.country: the version's country (SCD2-tracked: a new country starts a new version).
ALTER TABLE star.dim_customer ADD COLUMN country VARCHAR(64) ENCODE ZSTD;
