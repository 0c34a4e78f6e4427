-- core.customers.country: the observed country; an SCD2 attribute of the person (merge step 020 adds it to
-- attr_hash only when it is not NULL, so the hash of an observation without a country is what it was before).
ALTER TABLE core.customers ADD COLUMN country VARCHAR(64) ENCODE ZSTD;
