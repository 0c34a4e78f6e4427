import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { DuckDbWarehouse } from "../../adapters/local/duckdb-warehouse.js";
import { PipelineError, ValidationError } from "../../errors.js";
import { collectReport, type ReportSelection } from "../presentation/report-build.js";
import { renderReport } from "../presentation/report-html.js";
import { stageOption } from "../stage-option.js";
import {
  cloudApp,
  isLocal,
  positiveInteger,
  projectRoot,
  requireLocalStage,
  runningWatch,
  runReader,
} from "./shared.js";

export const registerReportCommand = (program: Command): void => {
  program
    .command("report")
    .description(
      "write the HTML report of a stage: runs, monitoring series, data quality, star schema, analytics",
    )
    .addOption(stageOption())
    .option("--run <id>", "the report of one run")
    .option("--last <n>", "the most recent n runs", positiveInteger)
    .option(
      "--out <file>",
      "where to write it (default: .local/<stage>/report.html, or report-<stage>.html for dev/prod)",
    )
    .action(async (options: { stage: string; run?: string; last?: number; out?: string }) => {
      if (options.run && options.last) throw new ValidationError("give --run or --last, not both");
      const selection: ReportSelection = options.run ? { runId: options.run } : { last: options.last ?? 30 };
      const title = `Sales analytics pipeline: stage ${options.stage}${options.run ? `, run ${options.run}` : ""}`;
      const now = () => new Date();
      let html: string;
      let out: string;
      if (isLocal(options.stage)) {
        const watcher = await runningWatch(options.stage);
        if (watcher) {
          throw new PipelineError(
            `the local warehouse is held by the running watch (pid ${watcher}); stop it (Ctrl-C) to write the report`,
          );
        }
        const root = await requireLocalStage(options.stage);
        const reader = await runReader(options.stage);
        const warehouse = await DuckDbWarehouse.open({
          path: join(root, "warehouse.duckdb"),
          sqlRoot: join(projectRoot(), "sql"),
          buckets: { load: join(root, "buckets", "load") },
        });
        try {
          html = renderReport(await collectReport({ ...reader, warehouse }, selection, { title, now }));
        } finally {
          await warehouse.close();
        }
        out = resolve(options.out ?? join(root, "report.html"));
      } else {
        const app = await cloudApp(options.stage);
        html = renderReport(await collectReport(app, selection, { title, now }));
        out = resolve(options.out ?? `report-${options.stage}.html`);
      }
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, html);
      process.stdout.write(`report: ${relative(process.cwd(), out) || out}\n`);
    });
};
