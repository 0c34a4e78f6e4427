-- pipeline_runtime may read and write core.source_objects (the merge records and compares file versions there;
-- UPDATE and DELETE also let it LOCK the table) and read core.current_source_objects. The default privileges of
-- 073 grant the same; this says it where the tables are made.
GRANT SELECT, INSERT, UPDATE, DELETE ON core.source_objects, core.current_source_objects TO ROLE pipeline_runtime;
