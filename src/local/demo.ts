import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { LocalSparkRunner } from "../adapters/local/local-spark-runner.js";
import type { Progress } from "../cli/presentation/progress.js";
import { ANALYTICS, MONTHLY_REVENUE } from "../cli/presentation/report-build.js";
import { type ReportRun, renderReport } from "../cli/presentation/report-html.js";
import { timePerState, viewRun } from "../core/run-view.js";
import { generateDataset, writeDataset } from "../generator/index.js";
import { compareWithTruth } from "../generator/truth-check.js";
import type { Row } from "../ports/warehouse.js";
import { starSnapshot } from "../warehouse/star-snapshot.js";
import { type Confirm, clearOwnedFolder, markDemoStage, nonDemoFiles } from "./fresh-stage.js";
import { type LocalStage, LocalStage as Stage } from "./stage.js";

export interface DemoOptions {
  readonly projectRoot: string;
  readonly stage: string;
  readonly orders: number;
  readonly days: number;
  readonly seed: number;
  /** First business date; the default straddles a month end so the revenue chart has two months. */
  readonly startDate?: string;
  readonly spark: "warm" | "cold";
  /** Delete the stage even when it holds data the demo did not put there. */
  readonly force?: boolean;
  /** Asks before deleting such data (a terminal); without it, such a stage is refused. */
  readonly confirm?: Confirm;
  readonly progress: Progress;
  readonly out: (text: string) => void;
}

export interface DemoResult {
  readonly wallSeconds: number;
  readonly runs: number;
  readonly failedRuns: number;
  readonly matchesTruth: boolean;
  readonly reportPath: string;
}

const cell = (value: unknown): string => (value === null || value === undefined ? "∅" : String(value));

const printRows = (out: (text: string) => void, rows: readonly Row[], limit = 12): void => {
  const headers = Object.keys(rows[0] ?? {});
  if (headers.length === 0) {
    out("    (no rows)\n");
    return;
  }
  const shown = rows.slice(0, limit).map((row) => headers.map((h) => cell(row[h])));
  const widths = headers.map((h, i) => Math.max(h.length, ...shown.map((r) => (r[i] ?? "").length)));
  out(`    ${headers.map((h, i) => h.padEnd(widths[i] ?? 0)).join("  ")}\n`);
  for (const row of shown) out(`    ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}\n`);
  if (rows.length > limit) out(`    … ${rows.length - limit} more\n`);
};

/**
 * The demo, from nothing: a fresh local stage of its own (`.local/demo/` by default; the stage is
 * replaced without asking only when everything in it came from an earlier demo, see fresh-stage.ts),
 * generated sample data dropped day by day (one batch
 * window, so one run, per day), every run through the whole workflow, then the summary, the
 * analytics views' answers, a comparison with the generator's expected truth, and an HTML report.
 *
 * @example
 *   await runDemo({ projectRoot, stage: "local", orders: 600, days: 6, seed: 42, spark: "warm", progress, out });
 */
export const runDemo = async (options: DemoOptions): Promise<DemoResult> => {
  const out = options.out;
  const started = performance.now();
  const root = join(options.projectRoot, ".local", options.stage);
  await clearOwnedFolder(root, `the local stage ${options.stage}`, await nonDemoFiles(root), {
    force: options.force ?? false,
    ...(options.confirm ? { confirm: options.confirm } : {}),
    out,
  });
  out(`fresh local stage at ${relative(options.projectRoot, root) || "."}\n`);

  const stage: LocalStage = await Stage.open({
    projectRoot: options.projectRoot,
    stage: options.stage,
    spark: options.spark,
    print: options.progress.print,
    onWorkflowEvent: options.progress.handle,
  });
  // Start Spark's JVM and session while the data is generated (the warm process is reused by every run).
  const warming = stage.spark instanceof LocalSparkRunner ? stage.spark.prewarm() : Promise.resolve();
  warming.catch(() => undefined);
  let failedRuns = 0;
  let runIds: string[] = [];
  try {
    const dataset = generateDataset({
      orders: options.orders,
      days: options.days,
      seed: options.seed,
      ...(options.startDate ? { startDate: options.startDate } : {}),
      expectedRows: false,
    });
    await markDemoStage(
      root,
      dataset.files.map((file) => file.key),
    );
    const sampleDir = join(root, "sample");
    await writeDataset(dataset, sampleDir);
    const bytes = dataset.files.reduce((sum, file) => sum + file.content.length, 0);
    out(
      `generated ${dataset.files.length} raw files (${(bytes / 1e6).toFixed(2)} MB, ${dataset.truth.totals.rows_read} rows, ` +
        `${options.orders} orders over ${options.days} days, seed ${options.seed}) -> ${relative(options.projectRoot, sampleDir)}/raw\n`,
    );
    if (options.spark === "warm") {
      out("waiting for the warm Spark process (started once, reused by every run)…\n");
      const waited = performance.now();
      await warming;
      out(
        `  Spark ready (${((performance.now() - started) / 1000).toFixed(1)} s after the start, ${((performance.now() - waited) / 1000).toFixed(1)} s waited)\n`,
      );
    }
    const days = [...new Set(dataset.files.map((file) => file.batchDate))].sort();
    for (const day of days) {
      const files = dataset.files.filter((file) => file.batchDate === day);
      out(`day ${day}: dropping ${files.length} files into the raw bucket\n`);
      for (const file of files) await stage.put(file.key, file.content);
      await stage.settle();
    }
    runIds = (await stage.workflow.list(1000)).map((e) => e.name).reverse();
    const runs: ReportRun[] = [];
    for (const runId of runIds) {
      const view = await viewRun(stage.app, runId);
      if (view) runs.push(view);
    }
    failedRuns = runs.filter((run) => run.summary.status !== "SUCCEEDED").length;

    const snapshot = await starSnapshot(stage.warehouse);
    const truthCheck = compareWithTruth(snapshot, dataset.truth);
    out("\n== summary ==\n");
    const s = snapshot.star;
    out(
      `star schema rows: dim_customer ${s.dim_customer} · dim_product ${s.dim_product} · dim_seller ${s.dim_seller} · ` +
        `fact_sales ${s.fact_sales} · fact_orders ${s.fact_orders} · fact_payments ${s.fact_payments}\n`,
    );
    out(
      `unknown members: ${Object.entries(s.unknown_members)
        .map(([k, v]) => `${k.replace("fact_", "")} ${v}`)
        .join(" · ")}\n`,
    );
    const byReason: Record<string, number> = {};
    for (const run of runs) {
      for (const [reason, n] of Object.entries(run.record?.rows.quarantined_by_reason ?? {})) {
        byReason[reason] = (byReason[reason] ?? 0) + n;
      }
    }
    out(
      `quarantined rows by reason: ${Object.entries(byReason)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(" · ")}\n`,
    );
    out("data-quality verdicts:\n");
    for (const run of runs) {
      const verdicts = Object.entries(run.record?.source_verdicts ?? {})
        .map(([source, verdict]) => `${source} ${verdict}`)
        .join(", ");
      out(`  ${run.summary.name}  ${run.record?.quality_verdict ?? "-"}  (${verdicts})\n`);
    }
    const perState = timePerState(runs.map((run) => run.visits));
    const total = perState.reduce((sum, state) => sum + state.seconds, 0) || 1;
    out(`wall time per state (summed over ${runs.length} runs):\n`);
    for (const state of [...perState].sort((a, b) => b.seconds - a.seconds)) {
      out(
        `  ${state.state.padEnd(24)} ${state.seconds.toFixed(2).padStart(8)} s  ${((100 * state.seconds) / total).toFixed(1).padStart(5)}%  (${state.visits} visit${state.visits === 1 ? "" : "s"})\n`,
      );
    }

    out("\n== analytics ==\n");
    const analytics: Record<string, Row[]> = {};
    for (const [title, sql] of Object.entries(ANALYTICS)) {
      const rows = await stage.warehouse.query(sql);
      analytics[title] = rows;
      out(`${title}:\n`);
      printRows(out, rows);
    }
    out(
      `\nstar schema vs the generator's expected truth: ${truthCheck.matches ? "match" : `${truthCheck.differences.length} difference(s)`}\n`,
    );
    for (const difference of truthCheck.differences.slice(0, 10)) out(`  ${difference}\n`);

    const wallSeconds = (performance.now() - started) / 1000;
    const reportPath = stage.paths.report;
    await mkdir(root, { recursive: true });
    await writeFile(
      reportPath,
      renderReport({
        title: "Sales analytics pipeline: local demo",
        generatedAt: new Date().toISOString(),
        wallSeconds,
        runs,
        snapshot,
        monthlyRevenue: analytics[MONTHLY_REVENUE] ?? [],
        analytics,
        truthMatches: truthCheck,
      }),
    );
    out(`report: ${relative(options.projectRoot, reportPath)}\n`);
    out(
      `explore: pipeline runs --stage ${options.stage} · pipeline status ${runIds.at(-1) ?? "<run>"} --stage ${options.stage} · ` +
        `pipeline query "select * from analytics.monthly_revenue" --stage ${options.stage}\n`,
    );
    out(`total wall time: ${wallSeconds.toFixed(1)} s (${runs.length} runs, ${failedRuns} failed)\n`);
    return { wallSeconds, runs: runs.length, failedRuns, matchesTruth: truthCheck.matches, reportPath };
  } finally {
    await stage.close();
  }
};
