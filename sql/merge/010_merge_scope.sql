-- Merge step 010: record the natural keys this run touches, before core changes. A run's rows are its staged rows
-- and the stored rows of the files it replaces (core.current_source_objects: steps 011-034 delete those).
-- Target grain: one row per (run_id, scope_kind, key_value).
--   person  = customer_unique_id of the run's customer rows (its SCD2 versions are rebuilt);
--   product = product_id of the run's product rows, and of known products in a category the run translates;
--   seller  = seller_id of the run's seller rows;
--   order   = every order whose fact rows may change: orders, items and payments of the run, and known orders
--             of a touched customer id or person, or with an item of a touched product or seller.
INSERT INTO staging.merge_scope (run_id, scope_kind, key_value)
WITH replaced_files AS (
    SELECT
        source_file,
        entity_name
    FROM core.current_source_objects
    WHERE run_id = :run_id AND merge_id = :merge_id
),

staged_customers AS (
    SELECT DISTINCT
        customer_id,
        customer_unique_id
    FROM staging.customers
    WHERE _run_id = :run_id
    UNION ALL
    SELECT
        held.customer_id,
        held.customer_unique_id
    FROM core.customers AS held
    INNER JOIN replaced_files
        ON held._source_file = replaced_files.source_file AND replaced_files.entity_name = 'customers'
),

staged_persons AS (
    SELECT DISTINCT customer_unique_id
    FROM staged_customers
),

staged_categories AS (
    SELECT category_name
    FROM staging.category_translation
    WHERE _run_id = :run_id
    UNION ALL
    SELECT held.category_name
    FROM core.category_translation AS held
    INNER JOIN replaced_files
        ON held._source_file = replaced_files.source_file AND replaced_files.entity_name = 'category_translation'
),

touched_products AS (
    SELECT product_id
    FROM staging.products
    WHERE _run_id = :run_id
    UNION ALL
    SELECT held.product_id
    FROM core.products AS held
    INNER JOIN replaced_files
        ON held._source_file = replaced_files.source_file AND replaced_files.entity_name = 'products'
    UNION ALL
    SELECT known.product_id
    FROM core.products AS known
    INNER JOIN staged_categories ON known.category_name = staged_categories.category_name
),

touched_sellers AS (
    SELECT seller_id
    FROM staging.sellers
    WHERE _run_id = :run_id
    UNION ALL
    SELECT held.seller_id
    FROM core.sellers AS held
    INNER JOIN replaced_files
        ON held._source_file = replaced_files.source_file AND replaced_files.entity_name = 'sellers'
),

touched_orders AS (
    SELECT order_id
    FROM staging.orders
    WHERE _run_id = :run_id
    UNION ALL
    SELECT order_id
    FROM staging.order_items
    WHERE _run_id = :run_id
    UNION ALL
    SELECT order_id
    FROM staging.payments
    WHERE _run_id = :run_id
    UNION ALL
    SELECT held.order_id
    FROM core.orders AS held
    INNER JOIN replaced_files
        ON held._source_file = replaced_files.source_file AND replaced_files.entity_name = 'orders'
    UNION ALL
    SELECT held.order_id
    FROM core.order_items AS held
    INNER JOIN replaced_files
        ON held._source_file = replaced_files.source_file AND replaced_files.entity_name = 'order_items'
    UNION ALL
    SELECT held.order_id
    FROM core.payments AS held
    INNER JOIN replaced_files
        ON held._source_file = replaced_files.source_file AND replaced_files.entity_name = 'payments'
    UNION ALL
    SELECT known.order_id
    FROM core.orders AS known
    INNER JOIN staged_customers ON known.customer_id = staged_customers.customer_id
    UNION ALL
    SELECT known.order_id
    FROM core.orders AS known
    INNER JOIN core.customers AS observed ON known.customer_id = observed.customer_id
    INNER JOIN staged_persons ON observed.customer_unique_id = staged_persons.customer_unique_id
    UNION ALL
    SELECT known.order_id
    FROM core.order_items AS known
    INNER JOIN touched_products ON known.product_id = touched_products.product_id
    UNION ALL
    SELECT known.order_id
    FROM core.order_items AS known
    INNER JOIN touched_sellers ON known.seller_id = touched_sellers.seller_id
),

final AS (
    SELECT
        'person' AS scope_kind,
        customer_unique_id AS key_value
    FROM staged_persons
    UNION ALL
    SELECT
        'product' AS scope_kind,
        product_id AS key_value
    FROM touched_products
    UNION ALL
    SELECT
        'seller' AS scope_kind,
        seller_id AS key_value
    FROM touched_sellers
    UNION ALL
    SELECT
        'order' AS scope_kind,
        order_id AS key_value
    FROM touched_orders
)

SELECT DISTINCT
    CAST(:run_id AS VARCHAR(128)) AS run_id,
    final.scope_kind,
    final.key_value
FROM final;
