-- Database role pipeline_loader: what the loader may do besides pipeline_runtime's grants, namely own the COPY JOBs.
-- AwaitLoad's Lambda role carries RedshiftDbRoles=pipeline_runtime:pipeline_loader, and migrate-warehouse assumes
-- that role to create the COPY JOBs, so the jobs belong to the user AwaitLoad signs in as: SYS_COPY_JOB_DETAIL
-- shows a regular user its own rows, whatever sys:monitor does (docs/deploy.md, "Load path").
-- The local DuckDB warehouse skips roles and grants.
CREATE ROLE pipeline_loader;
