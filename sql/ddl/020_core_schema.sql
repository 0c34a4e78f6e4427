-- Schema core: the integrated history (observed dimension versions, latest fact rows).
CREATE SCHEMA IF NOT EXISTS core;
