import { viewRun } from "../../core/run-view.js";
import { NotFoundError } from "../../errors.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { Row, Warehouse } from "../../ports/warehouse.js";
import type { Workflow } from "../../ports/workflow.js";
import { starSnapshot } from "../../warehouse/star-snapshot.js";
import type { ReportInput, ReportRun } from "./report-html.js";

/** The analytics views' questions the report answers (title -> statement). */
export const ANALYTICS: Readonly<Record<string, string>> = {
  "monthly revenue (month-over-month growth)":
    "SELECT month_start, revenue, orders, mom_growth FROM analytics.monthly_revenue ORDER BY month_start",
  "category leaders (rank 1 per month)":
    "SELECT month_start, category_name, category_name_english, revenue FROM analytics.category_leaders WHERE is_leader ORDER BY month_start, category_name",
  "daily sales by state (top 10 days x states by revenue)":
    "SELECT * FROM analytics.daily_sales_by_state ORDER BY revenue DESC, 1, 2 LIMIT 10",
  "delivery performance": "SELECT * FROM analytics.delivery_performance ORDER BY 1 LIMIT 12",
  "payment mix":
    "SELECT payment_type, payments, total_value, value_share FROM analytics.payment_mix ORDER BY total_value DESC",
};

export const MONTHLY_REVENUE = "monthly revenue (month-over-month growth)";

/** Which runs a report covers: one run, or the most recent `last`. */
export type ReportSelection = { readonly runId: string } | { readonly last: number };

/**
 * Gathers what `renderReport` draws for any stage: the selected runs (execution, states, run record, quality
 * report; oldest first), the star schema's contents and the analytics views' answers.
 *
 * @example
 *   const input = await collectReport({ workflow, store, warehouse }, { last: 20 }, { title: "local", now });
 *   await writeFile(".local/local/report.html", renderReport(input));
 */
export const collectReport = async (
  deps: {
    readonly workflow: Pick<Workflow, "describe" | "history" | "list">;
    readonly store: ObjectStore;
    readonly warehouse: Pick<Warehouse, "query">;
  },
  selection: ReportSelection,
  options: { readonly title: string; readonly now: () => Date },
): Promise<ReportInput> => {
  const names =
    "runId" in selection
      ? [selection.runId]
      : (await deps.workflow.list(selection.last)).map((execution) => execution.name).reverse();
  const runs: ReportRun[] = [];
  for (const name of names) {
    const view = await viewRun(deps, name);
    if (!view) throw new NotFoundError(`no run named ${name}`);
    runs.push(view);
  }
  runs.sort((a, b) => a.summary.startedAt.localeCompare(b.summary.startedAt));
  const analytics: Record<string, Row[]> = {};
  for (const [title, sql] of Object.entries(ANALYTICS)) analytics[title] = await deps.warehouse.query(sql);
  return {
    title: options.title,
    generatedAt: options.now().toISOString(),
    runs,
    snapshot: await starSnapshot(deps.warehouse),
    monthlyRevenue: analytics[MONTHLY_REVENUE] ?? [],
    analytics,
  };
};
