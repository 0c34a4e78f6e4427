import type { QualityReport } from "../../core/quality.js";
import { timePerState } from "../../core/run-view.js";
import type { RunRecord } from "../../documents/run-record.js";
import type { Row } from "../../ports/warehouse.js";
import type { ExecutionSummary, StateVisit } from "../../ports/workflow.js";
import type { StarSnapshot } from "../../warehouse/star-snapshot.js";
import { type RunPoint, runPoints } from "./run-series.js";

export interface ReportRun {
  readonly summary: ExecutionSummary;
  readonly visits: readonly StateVisit[];
  readonly record: RunRecord | undefined;
  readonly report: QualityReport | undefined;
}

export interface ReportInput {
  readonly title: string;
  readonly generatedAt: string;
  /** The demo's wall time; absent for `pipeline report`. */
  readonly wallSeconds?: number;
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

const PALETTE = ["#3b6ea5", "#c0733a", "#1a7f37", "#b42318", "#7a4ea5", "#2a9d8f"];

/**
 * Several series over the same x labels (one per run) as an inline SVG line chart with a legend; a missing value
 * (null) breaks the line. Used for the monitoring series, the local counterpart of the dashboard's graphs.
 */
export const lineChartSvg = (
  labels: readonly string[],
  series: readonly { name: string; values: readonly (number | null)[] }[],
  options: { unit?: string } = {},
): string => {
  const width = Math.max(420, labels.length * 40 + 80);
  const height = 220;
  const top = 16;
  const bottom = 30;
  const left = 60;
  const right = 10;
  const max = Math.max(1, ...series.flatMap((line) => line.values.map((value) => value ?? 0)));
  const x = (i: number) =>
    left + (labels.length <= 1 ? 0 : ((width - left - right) * i) / (labels.length - 1));
  const y = (value: number) => height - bottom - ((height - top - bottom) * value) / max;
  const paths = series
    .map((line, index) => {
      const color = PALETTE[index % PALETTE.length] as string;
      let d = "";
      let pen = "M";
      const dots: string[] = [];
      line.values.forEach((value, i) => {
        if (value === null) {
          pen = "M";
          return;
        }
        d += `${pen}${x(i).toFixed(1)},${y(value).toFixed(1)} `;
        pen = "L";
        dots.push(
          `<circle cx="${x(i).toFixed(1)}" cy="${y(value).toFixed(1)}" r="2.5" fill="${color}"><title>${esc(line.name)} ${esc(labels[i])}: ${esc(value)}${esc(options.unit ?? "")}</title></circle>`,
        );
      });
      return `<path d="${d.trim()}" fill="none" stroke="${color}" stroke-width="1.5"/>${dots.join("")}`;
    })
    .join("");
  const legend = series
    .map(
      (line, index) =>
        `<text x="${left + index * 110}" y="${height - 6}" font-size="11" fill="${PALETTE[index % PALETTE.length]}">■ ${esc(line.name)}</text>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${esc(series.map((line) => line.name).join(", "))} per run"><line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#888"/><text x="${left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${esc(Math.round(max).toLocaleString("en-US"))}${esc(options.unit ?? "")}</text><text x="${left - 6}" y="${height - bottom}" font-size="10" text-anchor="end">0</text>${paths}${legend}</svg>`;
};

/**
 * The monitoring section: the dashboard's series over the report's runs (runs and failures, rows per step, rule
 * failures by source, load latency, run duration), oldest run first.
 */
export const monitoringHtml = (points: readonly RunPoint[]): string => {
  if (points.length === 0) return "<p>No runs.</p>";
  const labels = points.map((point) => point.runId.replace(/^(run|replay)-/, "").slice(0, 13));
  const sources = [...new Set(points.flatMap((point) => Object.keys(point.dqFailuresBySource)))].sort();
  const failed = points.filter((point) => point.failed).length;
  return `<p>${points.length} run(s), ${failed} failed, ${points.filter((point) => point.outcome === "partial" || point.outcome === "quality_failed").length} stopped some source at the quality gate.</p>
<h3>Runs and failures</h3>
${lineChartSvg(labels, [
  { name: "failed (1 = yes)", values: points.map((point) => (point.failed ? 1 : 0)) },
  {
    name: "DQ stopped (1 = yes)",
    values: points.map((point) =>
      point.outcome === "partial" || point.outcome === "quality_failed" ? 1 : 0,
    ),
  },
])}
<h3>Rows per step</h3>
${lineChartSvg(labels, [
  { name: "read", values: points.map((point) => point.rows.read) },
  { name: "curated", values: points.map((point) => point.rows.curated) },
  { name: "quarantined", values: points.map((point) => point.rows.quarantined) },
  { name: "loaded", values: points.map((point) => point.rows.loaded) },
  { name: "merged", values: points.map((point) => point.rows.merged) },
])}
<h3>Data-quality rule failures by source</h3>
${
  sources.length === 0
    ? "<p>No rule failed in these runs.</p>"
    : lineChartSvg(
        labels,
        sources.map((source) => ({
          name: source,
          values: points.map((point) => point.dqFailuresBySource[source] ?? 0),
        })),
      )
}
<h3>Load latency and run duration</h3>
${lineChartSvg(
  labels,
  [
    { name: "load (AwaitLoad)", values: points.map((point) => point.loadSeconds) },
    { name: "run", values: points.map((point) => point.seconds) },
  ],
  { unit: " s" },
)}
${tableHtml(
  [
    "run",
    "started (UTC)",
    "status",
    "outcome",
    "seconds",
    "read",
    "curated",
    "quarantined",
    "loaded",
    "merged",
    "load s",
    "rules failed",
  ],
  points.map((point) => [
    point.runId,
    point.startedAt.replace("T", " ").slice(0, 19),
    point.status,
    point.outcome ?? "",
    point.seconds?.toFixed(1) ?? "",
    point.rows.read ?? "",
    point.rows.curated ?? "",
    point.rows.quarantined ?? "",
    point.rows.loaded ?? "",
    point.rows.merged ?? "",
    point.loadSeconds?.toFixed(1) ?? "",
    Object.entries(point.dqFailuresBySource)
      .map(([source, n]) => `${source} ${n}`)
      .join(", "),
  ]),
)}`;
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
 * A stage's report as one self-contained HTML page (the demo's, and `pipeline report`'s): runs, the monitoring
 * series over them, per-state timings, data-quality results, the star schema's contents and a revenue-by-month
 * chart.
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
<p>Generated ${esc(input.generatedAt)} · ${input.runs.length} run(s)${input.wallSeconds === undefined ? "" : ` · wall time ${input.wallSeconds.toFixed(1)} s`}${
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
<h2>Monitoring: the dashboard's series over these runs</h2>
${monitoringHtml(runPoints(input.runs))}
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
