-- Merge step 030: delete the orders rows of every file this run replaces: the run holds the newest loaded version
-- of the file (core.current_source_objects), so every row of its older versions goes, including rows the new
-- version no longer has. Rows of other files stay: the star takes the newest row per key over every file (051-055),
-- so a row this file had beaten comes back when the file no longer has the key. Step 010 scoped their orders.
-- Target grain of core.orders: one row per (order_id, _source_file).
DELETE FROM core.orders
USING core.current_source_objects AS replaced
WHERE
    replaced.run_id = :run_id
    AND replaced.merge_id = :merge_id
    AND replaced.entity_name = 'orders'
    AND core.orders._source_file = replaced.source_file;
