-- pipeline_recorder may use the ops schema only.
GRANT USAGE ON SCHEMA ops TO ROLE pipeline_recorder;
