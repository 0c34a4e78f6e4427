import { join } from "node:path";
import type { Command } from "commander";
import { DuckDbWarehouse } from "../../adapters/local/duckdb-warehouse.js";
import { PipelineError } from "../../errors.js";
import { stageOption } from "../stage-option.js";
import { cloudApp, isLocal, projectRoot, requireLocalStage, runningWatch, table } from "./shared.js";

export const registerQueryCommand = (program: Command): void => {
  program
    .command("query")
    .description('run one SQL statement on the warehouse, e.g. "select * from analytics.monthly_revenue"')
    .argument("<sql>", "the statement (Redshift dialect; the local DuckDB adapter translates it)")
    .addOption(stageOption())
    .option("--json", "print rows as JSON")
    .action(async (sql: string, options: { stage: string; json?: boolean }) => {
      let rows: Awaited<ReturnType<DuckDbWarehouse["query"]>>;
      if (isLocal(options.stage)) {
        const watcher = await runningWatch(options.stage);
        if (watcher) {
          throw new PipelineError(
            `the local warehouse is held by the running watch (pid ${watcher}); stop it (Ctrl-C) to query`,
          );
        }
        const root = await requireLocalStage(options.stage);
        const warehouse = await DuckDbWarehouse.open({
          path: join(root, "warehouse.duckdb"),
          sqlRoot: join(projectRoot(), "sql"),
          buckets: { load: join(root, "buckets", "load") },
        });
        try {
          rows = await warehouse.query(sql);
        } finally {
          await warehouse.close();
        }
      } else {
        const app = await cloudApp(options.stage);
        rows = await app.warehouse.query(sql);
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const headers = Object.keys(rows[0] ?? {});
      process.stdout.write(
        `${table(
          headers,
          rows.map((row) => headers.map((h) => (row[h] === null ? "∅" : String(row[h])))),
        )}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`,
      );
    });
};
