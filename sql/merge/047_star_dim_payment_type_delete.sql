-- Merge step 047: delete the payment types no row of core.payments has any more (only a replaced version of a file
-- had them). Only a run that scoped orders can have removed payments rows, so only such a run looks.
-- Target grain: one row per payment type; key: payment_type_key.
DELETE FROM star.dim_payment_type
WHERE
    payment_type NOT IN (
        SELECT DISTINCT held.payment_type
        FROM core.payments AS held
    )
    AND EXISTS (
        SELECT 1
        FROM staging.merge_scope AS scoped
        WHERE scoped.run_id = :run_id AND scoped.scope_kind = 'order'
    );
