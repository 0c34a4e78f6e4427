import { describe, expect, it } from "vitest";
import { renderRun } from "../../src/cli/commands/status.js";
import { Progress } from "../../src/cli/presentation/progress.js";
import { barChartSvg, renderReport } from "../../src/cli/presentation/report-html.js";
import type { RunView } from "../../src/core/run-view.js";
import type { StarSnapshot } from "../../src/warehouse/star-snapshot.js";
import { runRecordFixture } from "../support/run-record.js";

const at = (s: number) => new Date(Date.UTC(2026, 10, 21, 20, 0, s)).toISOString();

const view: RunView = {
  summary: {
    name: "run-20170105-0123456789abcdef",
    executionArn: "arn",
    status: "FAILED",
    startedAt: at(0),
    stoppedAt: at(30),
    error: "SparkJobError",
  },
  visits: [
    {
      name: "PlanBatch",
      type: "Task",
      enteredAt: at(0),
      exitedAt: at(1),
      seconds: 1,
      outcome: "succeeded",
      retries: 0,
      errors: [],
    },
    {
      name: "Transform",
      type: "Task",
      enteredAt: at(1),
      exitedAt: at(29),
      seconds: 28,
      outcome: "caught",
      retries: 1,
      errors: [
        { error: "SparkJobError", cause: "{}" },
        { error: "SparkJobError", cause: "{}" },
      ],
    },
  ],
  record: undefined,
  report: undefined,
  alerts: [{ kind: "run_failed", subject: "run failed: SparkJobError", message: "m", at: at(30) }],
};

describe("what a person reads", () => {
  it("status shows the states with timings, retries and the error with a hint", () => {
    const text = renderRun(
      {
        ...view,
        record: runRecordFixture({
          run_id: view.summary.name,
          status: "failed",
          started_at: at(0),
          recorded_at: at(30),
          files: 2,
          quality_verdict: null,
          source_verdicts: {},
          rows: {
            read: null,
            quarantined: null,
            quarantined_by_reason: {},
            curated_by_entity: {},
            by_source: {},
          },
          error: {
            error: "SparkJobError",
            cause: JSON.stringify({
              errorType: "SparkJobError",
              errorMessage: "ConservationError: rows differ",
            }),
          },
        }),
      },
      "local",
    );
    expect(text).toContain(
      "run run-20170105-0123456789abcdef: FAILED (failed), started 2026-11-21T20:00:00.000Z, 30.0 s",
    );
    expect(text).toMatch(/Transform\s+28\.00\s+caught\s+1\s+SparkJobError, SparkJobError/);
    expect(text).toContain("error: SparkJobError: ConservationError: rows differ");
    expect(text).toContain(
      "hint: fix the cause, then replay the run: pipeline replay --run run-20170105-0123456789abcdef --stage local",
    );
    expect(text).toContain("[run_failed] run failed: SparkJobError");
  });

  it("progress prints a line per run start and end, a failure as one line plus a hint", () => {
    let out = "";
    const progress = new Progress({ write: (text: string) => (out += text), isTTY: false }, "local");
    progress.handle({ execution: "run-a", kind: "started", at: at(0) });
    progress.handle({ execution: "run-a", kind: "state", state: "Transform", at: at(1) });
    progress.handle({ execution: "run-a", kind: "retry", state: "Transform", at: at(2) });
    progress.handle({ execution: "run-a", kind: "finished", status: "SUCCEEDED", at: at(5) });
    progress.handle({ execution: "run-b", kind: "started", at: at(5) });
    progress.handle({
      execution: "run-b",
      kind: "finished",
      status: "FAILED",
      error: "LoadFailedError",
      cause: JSON.stringify({
        errorType: "LoadFailedError",
        errorMessage: "1 published file(s) failed to load",
      }),
      at: at(9),
    });
    expect(out.split("\n")).toEqual([
      "  ▶ run-a started",
      "  ↻ run-a: retrying Transform",
      "  ✓ run-a succeeded in 5.0s",
      "  ▶ run-b started",
      "  ✗ run-b failed: LoadFailedError: 1 published file(s) failed to load",
      "    hint: pipeline status run-b --stage local  (states, rows, DQ verdict, the full error)",
      "",
    ]);
    expect(progress.finished.map((r) => r.status)).toEqual(["SUCCEEDED", "FAILED"]);
  });

  it("the HTML report is self-contained: a revenue chart, per-state timings, escaped text", () => {
    const snapshot: StarSnapshot = {
      star: {
        dim_customer: 1,
        dim_product: 1,
        dim_seller: 1,
        fact_sales: 1,
        fact_orders: 1,
        fact_payments: 1,
        unknown_members: {
          fact_sales_unknown_order: 0,
          fact_sales_unknown_product: 0,
          fact_sales_unknown_customer: 0,
          fact_orders_unknown_customer: 0,
          fact_payments_unknown_order: 0,
        },
      },
      revenue_by_month: {},
      revenue_by_category: {},
      orders_by_status: {},
      payments: { count: 0, total: "0.00", by_type: {} },
    };
    const html = renderReport({
      title: "demo <script>",
      generatedAt: at(0),
      wallSeconds: 12.3,
      runs: [view],
      snapshot,
      monthlyRevenue: [
        { month_start: "2017-01-01", revenue: "100.00" },
        { month_start: "2017-02-01", revenue: "250.50" },
      ],
      analytics: { "payment mix": [{ payment_type: "credit_card", payments: 3 }] },
      truthMatches: { matches: true, differences: [] },
    });
    expect(html).toContain("<title>demo &lt;script&gt;</title>");
    expect(html).not.toContain("<script>");
    // Revenue, time per state, and the monitoring series: runs and failures, rows per step, load latency (no
    // rule failed, so no DQ chart).
    expect(html.match(/<svg/g)).toHaveLength(5);
    expect(html).toContain("<title>2017-02: 250.50</title>");
    expect(html).toMatch(/<td>Transform<\/td><td>1<\/td><td>28\.00<\/td><td>96\.6%<\/td>/);
    expect(html).toContain('<b class="ok">match</b>');
    const bars = barChartSvg([
      { label: "a", value: 1 },
      { label: "b", value: 2 },
    ]);
    const heights = [...bars.matchAll(/height="([\d.]+)" fill/g)].map((m) => Number(m[1]));
    expect(heights[1]).toBeCloseTo((heights[0] as number) * 2, 1);
  });
});
