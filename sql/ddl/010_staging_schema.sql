-- Schema staging: one table per conformed entity, each the target of one COPY JOB over the load bucket.
CREATE SCHEMA IF NOT EXISTS staging;
