-- Run record step 4: the run's rule results. The VALUES row is a template: the run record repeats it once per
-- result (parameters renamed per row, e.g. :r0_rule_name), several results per statement.
INSERT INTO ops.dq_results (
    run_id,
    evaluated_at,
    source_name,
    source_verdict,
    rule_name,
    rule_kind,
    severity,
    status,
    observed,
    threshold,
    rows_evaluated,
    rows_failed,
    detail
)
VALUES (
    :run_id,
    CAST(:evaluated_at AS TIMESTAMP),
    :source_name,
    :source_verdict,
    :rule_name,
    :rule_kind,
    :severity,
    :status,
    CAST(:observed AS DOUBLE PRECISION),
    CAST(:threshold AS DOUBLE PRECISION),
    CAST(:rows_evaluated AS BIGINT),
    CAST(:rows_failed AS BIGINT),
    :detail
);
