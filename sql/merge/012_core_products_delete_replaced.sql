-- Merge step 012: delete the products observations of every file this run replaces. The run holds the
-- newest loaded version of those files (core.current_source_objects), so every row of their older versions goes,
-- including rows the new version no longer has. Step 010 has put their keys in the scope: the star rebuilds them.
DELETE FROM core.products
USING core.current_source_objects AS replaced
WHERE
    replaced.run_id = :run_id
    AND replaced.merge_id = :merge_id
    AND replaced.entity_name = 'products'
    AND core.products._source_file = replaced.source_file;
