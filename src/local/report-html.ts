import type { QualityReport } from "../core/quality.js";
import type { RunRecord } from "../core/record-run.js";
import type { Row } from "../ports/warehouse.js";
import type { ExecutionSummary, StateVisit } from "../ports/workflow.js";
import { timePerState } from "./inspect.js";
import type { StarSnapshot } from "./star-summary.js";

export interface ReportRun {
  readonly summary: ExecutionSummary;
  readonly visits: readonly StateVisit[];
  readonly record: RunRecord | undefined;
  readonly report: QualityReport | undefined;
}

export interface ReportInput {
  readonly title: string;
  readonly generatedAt: string;
  readonly wallSeconds: number;
  readonly runs: readonly ReportRun[];
  readonly snapshot: StarSnapshot;
  readonly monthlyRevenue: readonly Row[];
  readonly analytics: Readonly<Record<string, readonly Row[]>>;
  readonly truthMatches?: { readonly matches: boolean; readonly differences: readonly string[] };
}

const esc = (value: unknown): string =>
  String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

const tableHtml = (headers: readonly string[], rows: readonly (readonly unknown[])[]): string =>
  `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${esc(cell)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;

/** A vertical bar chart as inline SVG (no script, no external file). */
export const barChartSvg = (
  bars: readonly { label: string; value: number }[],
  options: { unit?: string } = {},
): string => {
  const width = Math.max(320, bars.length * 64 + 60);
  const height = 260;
  const top = 20;
  const bottom = 40;
  const left = 50;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const slot = (width - left - 10) / Math.max(1, bars.length);
  const scale = (value: number) => ((height - top - bottom) * value) / max;
  const rects = bars
    .map((bar, i) => {
      const h = scale(bar.value);
      const x = left + i * slot + slot * 0.15;
      const y = height - bottom - h;
      return (
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#3b6ea5"><title>${esc(bar.label)}: ${esc(bar.value.toFixed(2))}${esc(options.unit ?? "")}</title></rect>` +
        `<text x="${(x + slot * 0.35).toFixed(1)}" y="${height - bottom + 16}" font-size="11" text-anchor="middle">${esc(bar.label)}</text>` +
        `<text x="${(x + slot * 0.35).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="10" text-anchor="middle">${esc(Math.round(bar.value).toLocaleString("en-US"))}</text>`
      );
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="bar chart"><line x1="${left}" y1="${height - bottom}" x2="${width - 10}" y2="${height - bottom}" stroke="#888"/>${rects}</svg>`;
};

/** Horizontal bars (seconds per state). */
const hbarsSvg = (bars: readonly { label: string; value: number }[]): string => {
  const rowHeight = 22;
  const width = 640;
  const labelWidth = 170;
  const max = Math.max(0.001, ...bars.map((bar) => bar.value));
  const rows = bars
    .map((bar, i) => {
      const w = ((width - labelWidth - 80) * bar.value) / max;
      const y = i * rowHeight;
      return (
        `<text x="${labelWidth - 6}" y="${y + 15}" font-size="12" text-anchor="end">${esc(bar.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="14" fill="#c0733a"/>` +
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}" font-size="11">${bar.value.toFixed(2)} s</text>`
      );
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${bars.length * rowHeight + 6}" role="img" aria-label="seconds per state">${rows}</svg>`;
};

/**
 * The demo's report as one self-contained HTML page: runs, per-state timings, data-quality results,
 * the star schema's contents and a revenue-by-month chart.
 *
 * @example
 *   await writeFile(".local/local/report.html", renderReport(input));
 */
export const renderReport = (input: ReportInput): string => {
  const perState = timePerState(input.runs.map((run) => run.visits));
  const stateTotal = perState.reduce((sum, s) => sum + s.seconds, 0) || 1;
  const revenueBars = input.monthlyRevenue.map((row) => ({
    label: String(row.month_start ?? "").slice(0, 7),
    value: Number(row.revenue ?? 0),
  }));
  const dqRows: unknown[][] = [];
  for (const run of input.runs) {
    for (const source of Object.values(run.report?.sources ?? {})) {
      const notable = source.rules.filter((rule) => rule.status !== "pass");
      dqRows.push([
        run.summary.name,
        source.source,
        source.verdict,
        source.rows_read,
        source.rows_quarantined,
        notable.map((rule) => `${rule.status}: ${rule.name} (${rule.detail})`).join("; ") || "all rules pass",
      ]);
    }
  }
  const quarantine: Record<string, number> = {};
  for (const run of input.runs) {
    for (const [reason, n] of Object.entries(run.record?.rows.quarantined_by_reason ?? {})) {
      quarantine[reason] = (quarantine[reason] ?? 0) + n;
    }
  }
  const s = input.snapshot.star;
  const analytics = Object.entries(input.analytics)
    .map(([name, rows]) => {
      const headers = Object.keys(rows[0] ?? {});
      return `<h3>${esc(name)}</h3>${tableHtml(
        headers,
        rows.map((row) => headers.map((h) => row[h])),
      )}`;
    })
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f3f3f3}.ok{color:#1a7f37}.bad{color:#b42318}h2{margin-top:2rem;border-bottom:1px solid #ddd}
</style></head><body>
<h1>${esc(input.title)}</h1>
<p>Generated ${esc(input.generatedAt)} · ${input.runs.length} run(s) · wall time ${input.wallSeconds.toFixed(1)} s${
    input.truthMatches
      ? ` · star schema vs the generator's expected truth: <b class="${input.truthMatches.matches ? "ok" : "bad"}">${input.truthMatches.matches ? "match" : "DIFFERENT"}</b>`
      : ""
  }</p>
${input.truthMatches && !input.truthMatches.matches ? `<pre>${esc(input.truthMatches.differences.join("\n"))}</pre>` : ""}
<h2>Revenue by month</h2>
${barChartSvg(revenueBars)}
<h2>Runs</h2>
${tableHtml(
  ["run", "status", "outcome", "files", "DQ", "seconds", "error"],
  input.runs.map((run) => [
    run.summary.name,
    run.summary.status,
    run.record?.status ?? "",
    run.record?.files ?? "",
    run.record?.quality_verdict ?? "",
    run.summary.stoppedAt
      ? ((Date.parse(run.summary.stoppedAt) - Date.parse(run.summary.startedAt)) / 1000).toFixed(2)
      : "",
    run.record?.error?.error ?? "",
  ]),
)}
<h2>Time per state (all runs)</h2>
${hbarsSvg(perState.map((state) => ({ label: state.state, value: state.seconds })))}
${tableHtml(
  ["state", "visits", "seconds", "share", "longest"],
  perState.map((state) => [
    state.state,
    state.visits,
    state.seconds.toFixed(2),
    `${((100 * state.seconds) / stateTotal).toFixed(1)}%`,
    state.max.toFixed(2),
  ]),
)}
<h2>Data quality</h2>
${tableHtml(["run", "source", "verdict", "rows read", "quarantined", "rules not passing"], dqRows)}
<h3>Quarantined rows by reason</h3>
${tableHtml(
  ["reason", "rows"],
  Object.entries(quarantine).map(([reason, n]) => [reason, n]),
)}
<h2>Star schema</h2>
${tableHtml(
  ["table", "rows"],
  [
    ["dim_customer (versions)", s.dim_customer],
    ["dim_product (versions)", s.dim_product],
    ["dim_seller", s.dim_seller],
    ["fact_sales", s.fact_sales],
    ["fact_orders", s.fact_orders],
    ["fact_payments", s.fact_payments],
    ...Object.entries(s.unknown_members).map(([name, n]) => [name, n]),
  ],
)}
<h2>Analytics</h2>
${analytics}
</body></html>
`;
};
