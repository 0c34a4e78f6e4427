-- Schema analytics: views answering the seed questions on top of the star schema.
CREATE SCHEMA IF NOT EXISTS analytics;
