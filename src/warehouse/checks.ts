import type { CheckResult, CheckStatus, ExpectedLoad, Row } from "../ports/warehouse.js";
import { moneyText, moneyUnits } from "./money.js";

/** The star-wide checks under `sql/checks/`, and the status a non-zero `observed` gets. */
export const STAR_CHECKS: readonly { readonly file: string; readonly onProblem: CheckStatus }[] = [
  // Facts pointing to -1 are expected while references arrive late; the unknown member is re-resolved later.
  { file: "unknown_members.sql", onProblem: "warn" },
  // A purchase date outside star.dim_date's calendar (e.g. year 9999): the fact loads, the calendar views miss it.
  { file: "date_coverage.sql", onProblem: "warn" },
  { file: "current_versions.sql", onProblem: "fail" },
  { file: "validity_windows.sql", onProblem: "fail" },
  { file: "grain_uniqueness.sql", onProblem: "fail" },
];

/** Money columns whose sums the metrics carry, and the load audit column each is compared with. */
const SUM_COLUMNS: Readonly<Record<string, string>> = {
  unit_price: "unit_price_sum",
  freight_value: "freight_value_sum",
  payment_value: "payment_value_sum",
};

/**
 * Reconciliation: per entity, the rows and money sums the merge loaded for the run (ops.load_audit) against
 * the run's curated metrics. A difference, or rows of an entity the metrics do not list, fails.
 *
 * @example
 *   reconcile(auditRows, { entities: { orders: { rows_curated: 117, sums: {} } } })
 */
export const reconcile = (loadedRows: readonly Row[], expected: ExpectedLoad): CheckResult[] => {
  const loaded = new Map(loadedRows.map((row) => [String(row.entity_name), row]));
  const entities = [...new Set([...Object.keys(expected.entities), ...loaded.keys()])].sort();
  const results: CheckResult[] = [];
  for (const entity of entities) {
    const want = expected.entities[entity];
    const row = loaded.get(entity);
    const rows = row ? Number(row.rows_loaded) : 0;
    const wantRows = want?.rows_curated ?? 0;
    results.push({
      check: "reconciliation",
      subject: `${entity}.rows`,
      status: want !== undefined && rows === wantRows ? "pass" : "fail",
      observed: String(rows),
      expected: want === undefined ? "(entity not in the run's metrics)" : String(wantRows),
    });
    for (const [column, wantSum] of Object.entries(want?.sums ?? {})) {
      const auditColumn = SUM_COLUMNS[column];
      if (wantSum === null || auditColumn === undefined) continue;
      const value = row?.[auditColumn];
      const observed = value === null || value === undefined ? 0n : moneyUnits(String(value));
      results.push({
        check: "reconciliation",
        subject: `${entity}.sum(${column})`,
        status: observed === moneyUnits(wantSum) ? "pass" : "fail",
        observed: moneyText(observed),
        expected: moneyText(moneyUnits(wantSum)),
      });
    }
  }
  return results;
};

/** Turns the rows of a star-wide check (check_name, subject, observed) into results. */
export const starCheckResults = (rows: readonly Row[], onProblem: CheckStatus): CheckResult[] =>
  rows.map((row) => {
    const observed = Number(row.observed ?? 0);
    return {
      check: String(row.check_name),
      subject: String(row.subject),
      status: observed === 0 ? "pass" : onProblem,
      observed: String(observed),
      expected: "0",
    };
  });

/** The worst status of a set of results. */
export const worstStatus = (results: readonly CheckResult[]): CheckStatus =>
  results.some((result) => result.status === "fail")
    ? "fail"
    : results.some((result) => result.status === "warn")
      ? "warn"
      : "pass";
