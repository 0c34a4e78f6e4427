import type { Command } from "commander";
import { runRecordKey } from "../../core/layout.js";
import { runRecordSchema } from "../../documents/run-record.js";
import { readJsonIfExists } from "../../documents/store.js";
import { stageOption } from "../stage-option.js";
import { runReader, table } from "./shared.js";

const seconds = (from: string, to?: string): string =>
  to ? ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1) : "…";

export const registerRunsCommand = (program: Command): void => {
  program
    .command("runs")
    .description("list the most recent runs: status, duration, files, data-quality verdict")
    .addOption(stageOption())
    .option("--limit <n>", "how many", (value) => Number.parseInt(value, 10), 20)
    .action(async (options: { stage: string; limit: number }) => {
      const reader = await runReader(options.stage);
      const executions = await reader.workflow.list(options.limit);
      if (executions.length === 0) {
        process.stdout.write(
          `no runs yet in ${options.stage}; drop a file: pipeline drop <file> --stage ${options.stage}\n`,
        );
        return;
      }
      const orphaned = (await reader.orphaned?.()) ?? new Set<string>();
      const rows: string[][] = [];
      for (const execution of executions) {
        const ref = { bucket: "curated", key: runRecordKey(execution.name) } as const;
        const record = await readJsonIfExists(reader.store, ref, runRecordSchema);
        rows.push([
          execution.name,
          execution.status,
          execution.startedAt.replace("T", " ").slice(0, 19),
          seconds(execution.startedAt, execution.stoppedAt),
          String(record?.files ?? ""),
          record?.quality_verdict ?? "",
          record?.status ?? "",
          orphaned.has(execution.name)
            ? `its process is gone: the next drop/replay/watch on ${options.stage} fails it and cleans up`
            : (execution.error ?? ""),
        ]);
      }
      process.stdout.write(
        `${table(["RUN", "STATUS", "STARTED (UTC)", "SECONDS", "FILES", "DQ", "OUTCOME", "ERROR"], rows)}\n`,
      );
    });
};
