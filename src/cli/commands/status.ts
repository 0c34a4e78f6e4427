import type { Command } from "commander";
import { causeText } from "../../core/notify.js";
import { type RunView, viewRun } from "../../core/run-view.js";
import { NotFoundError } from "../../errors.js";
import { stageOption } from "../stage-option.js";
import { runReader, table } from "./shared.js";

const counts = (values: Record<string, number>): string =>
  Object.entries(values)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ") || "none";

/** The run as text: states with timings, rows per step, DQ verdict per source, errors, alerts. */
export const renderRun = (view: RunView, stage: string): string => {
  const { summary, visits, record, report } = view;
  const out: string[] = [];
  const total = summary.stoppedAt
    ? ((Date.parse(summary.stoppedAt) - Date.parse(summary.startedAt)) / 1000).toFixed(1)
    : "running";
  out.push(
    `run ${summary.name}: ${summary.status}${record ? ` (${record.status})` : ""}, started ${summary.startedAt}, ${total}${summary.stoppedAt ? " s" : ""}`,
  );
  if (record)
    out.push(`files: ${record.files} (${record.sources.join(", ")}), trigger: ${record.trigger ?? "?"}`);
  out.push("", "states:");
  out.push(
    table(
      ["STATE", "SECONDS", "OUTCOME", "RETRIES", "ERRORS"],
      visits.map((v) => [
        v.name,
        v.seconds !== undefined ? v.seconds.toFixed(2) : "…",
        v.outcome,
        v.retries ? String(v.retries) : "",
        v.errors.map((e) => e.error).join(", "),
      ]),
    ),
  );
  if (record) {
    const r = record.rows;
    out.push("", "rows:");
    if (r.read !== null) {
      out.push(`  read ${r.read}, quarantined ${r.quarantined} (${counts(r.quarantined_by_reason)})`);
      if (typeof r.curated === "number") {
        const accounted =
          r.curated +
          (r.quarantined ?? 0) +
          (r.exact_duplicates ?? 0) +
          (r.superseded ?? 0) +
          (r.filtered ?? 0);
        out.push(
          `  balance: read ${r.read} = curated ${r.curated} + quarantined ${r.quarantined} + exact duplicates ${r.exact_duplicates ?? "?"} + superseded ${r.superseded ?? "?"} + filtered ${r.filtered ?? "?"}${accounted === r.read ? "" : ` (UNBALANCED: ${accounted} accounted for)`}`,
        );
      }
      out.push(`  curated: ${counts(r.curated_by_entity)}`);
    }
    const publish = record.steps.publish as { files?: number } | null;
    const load = record.steps.load as { rows_loaded?: number; attempt?: number } | null;
    const merge = record.steps.merge as { rows_by_entity?: Record<string, number> } | null;
    if (publish) out.push(`  published ${publish.files ?? 0} file(s) to the load bucket`);
    if (load) out.push(`  auto-copy loaded ${load.rows_loaded ?? 0} row(s) (${load.attempt ?? 0} poll(s))`);
    if (merge?.rows_by_entity) out.push(`  merged: ${counts(merge.rows_by_entity)}`);
  }
  if (report) {
    out.push("", `data quality: ${report.verdict}`);
    for (const source of Object.values(report.sources)) {
      out.push(
        `  ${source.source}: ${source.verdict} (read ${source.rows_read}, quarantined ${source.rows_quarantined})`,
      );
      for (const rule of source.rules.filter((rule) => rule.status !== "pass")) {
        out.push(`    ${rule.status.padEnd(11)} ${rule.name}: ${rule.detail}`);
      }
    }
  }
  const error =
    record?.error ?? (summary.error ? { error: summary.error, cause: summary.cause ?? "" } : null);
  if (error) {
    out.push("", `error: ${error.error}: ${causeText(error.cause)}`);
    out.push(
      `hint: fix the cause, then replay the run: pipeline replay --run ${summary.name} --stage ${stage}`,
    );
  }
  if (view.alerts.length > 0) {
    out.push("", "alerts:");
    for (const alert of view.alerts) out.push(`  [${alert.kind}] ${alert.subject}`);
  }
  return `${out.join("\n")}\n`;
};

export const registerStatusCommand = (program: Command): void => {
  program
    .command("status")
    .description("one run: states visited with timings, rows per step, data-quality verdict, errors")
    .argument("<run>", "the run id (execution name)")
    .addOption(stageOption())
    .option("--json", "print the run as JSON")
    .action(async (runId: string, options: { stage: string; json?: boolean }) => {
      const view = await viewRun(await runReader(options.stage), runId);
      if (!view)
        throw new NotFoundError(
          `no run ${runId} in ${options.stage}; list them with: pipeline runs --stage ${options.stage}`,
        );
      process.stdout.write(
        options.json ? `${JSON.stringify(view, null, 2)}\n` : renderRun(view, options.stage),
      );
    });
};
