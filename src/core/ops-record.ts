import type { RunRecord } from "../documents/run-record.js";
import { ValidationError } from "../errors.js";
import type { OpsDqResultRow, OpsRunRecord, OpsRunRow } from "../ports/warehouse.js";
import { sqlTimestamp } from "../warehouse/sql-text.js";

/**
 * The parts of a quality report (`reports/<run_id>.json`, src/documents/quality-report.ts) that ops.dq_results
 * holds. RecordRun reads the report with its document schema; this is only what the rows are built from.
 */
export interface RecordedReport {
  readonly run_id: string;
  readonly evaluated_at: string;
  readonly sources: Readonly<
    Record<
      string,
      {
        readonly source: string;
        readonly verdict: string;
        readonly rules: readonly {
          readonly name: string;
          readonly rule: string;
          readonly severity: string;
          readonly status: string;
          readonly observed: number | null;
          readonly threshold: number | null;
          readonly detail: string;
          readonly evaluated?: number;
          readonly failed?: number;
        }[];
      }
    >
  >;
}

/** VARCHAR widths of ops.runs and ops.dq_results (sql/ddl/090, 091), in bytes as Redshift counts them. */
export const RUN_WIDTHS = {
  run_id: 128,
  status: 32,
  run_trigger: 64,
  sources: 1024,
  quality_verdict: 16,
  error_name: 256,
  error_cause: 4096,
  record_uri: 1024,
} as const;
export const DQ_RESULT_WIDTHS = {
  source_name: 128,
  source_verdict: 16,
  rule_name: 256,
  rule_kind: 64,
  severity: 16,
  status: 16,
  detail: 4096,
} as const;

/** Cuts text to at most `bytes` UTF-8 bytes without splitting a character. */
export const clip = (text: string, bytes: number): string => {
  const encoded = Buffer.from(text, "utf8");
  if (encoded.length <= bytes) return text;
  let cut = bytes;
  // Step back over continuation bytes (10xxxxxx) so that the cut falls on a character boundary.
  while (cut > 0 && ((encoded[cut] as number) & 0xc0) === 0x80) cut -= 1;
  return encoded.subarray(0, cut).toString("utf8");
};

/** An ISO-8601 instant of the run record or report as a TIMESTAMP parameter; a malformed one is refused. */
export const timestampOf = (iso: string, field: string): string => {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime()))
    throw new ValidationError(`${field} is not a timestamp: ${JSON.stringify(iso)}`);
  return sqlTimestamp(instant);
};

const text = (value: number | null | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

/** The row with every text column clipped to its width (a longer value would fail the whole insert). */
const clipColumns = <Row extends object>(row: Row, widths: Readonly<Record<string, number>>): Row =>
  Object.fromEntries(
    Object.entries(row).map(([column, value]) => {
      const width = widths[column];
      return [column, typeof value === "string" && width !== undefined ? clip(value, width) : value];
    }),
  ) as Row;

/**
 * A run record and its quality report (when the run got as far as the quality gate) as rows of ops.runs and
 * ops.dq_results. The row counts are the run's balance in source rows (`rows_curated` counts a source row once,
 * whatever number of entities it fed); a record without the balance (an older one) gives NULLs.
 *
 * @example
 *   const rows = opsRecord(record, report, "s3://sales-pipeline-dev-curated/runs/run-1.json");
 *   rows.dqResults.length; // one per rule per source
 */
export const opsRecord = (
  record: RunRecord,
  report: RecordedReport | undefined,
  recordUri: string,
): OpsRunRecord => {
  const dqResults: OpsDqResultRow[] = [];
  if (report) {
    if (report.run_id !== record.run_id) {
      throw new ValidationError(`quality report of run ${report.run_id} given for run ${record.run_id}`);
    }
    const evaluatedAt = timestampOf(report.evaluated_at, "report.evaluated_at");
    for (const source of Object.values(report.sources)) {
      for (const rule of source.rules) {
        const row: OpsDqResultRow = {
          evaluated_at: evaluatedAt,
          source_name: source.source,
          source_verdict: source.verdict,
          rule_name: rule.name,
          rule_kind: rule.rule,
          severity: rule.severity,
          status: rule.status,
          observed: text(rule.observed),
          threshold: text(rule.threshold),
          rows_evaluated: text(rule.evaluated),
          rows_failed: text(rule.failed),
          detail: rule.detail || null,
        };
        dqResults.push(clipColumns(row, DQ_RESULT_WIDTHS));
      }
    }
  }
  const run: OpsRunRow = {
    run_id: record.run_id,
    status: record.status,
    started_at: timestampOf(record.started_at, "started_at"),
    recorded_at: timestampOf(record.recorded_at, "recorded_at"),
    run_trigger: record.trigger,
    files: String(record.files),
    sources: record.sources.join(","),
    quality_verdict: record.quality_verdict,
    rows_read: text(record.rows.read),
    rows_quarantined: text(record.rows.quarantined),
    rows_curated: text(record.rows.curated),
    rows_exact_duplicates: text(record.rows.exact_duplicates),
    rows_superseded: text(record.rows.superseded),
    rows_filtered: text(record.rows.filtered),
    error_name: record.error ? record.error.error : null,
    error_cause: record.error ? record.error.cause : null,
    record_uri: recordUri,
  };
  return { run: clipColumns(run, RUN_WIDTHS), dqResults };
};
