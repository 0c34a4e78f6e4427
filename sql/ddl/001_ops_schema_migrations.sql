-- ops.schema_migrations: the migration ledger, one row per applied migration file.
-- Grain: one row per migration; key: version (the file path under sql/, e.g. ddl/010_staging_schema.sql).
CREATE TABLE IF NOT EXISTS ops.schema_migrations (
    version VARCHAR(256) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    checksum CHAR(64) NOT NULL,
    applied_at TIMESTAMP NOT NULL
)
DISTSTYLE ALL;
