import { join } from "node:path";
import type { Command } from "commander";
import { DuckDbWarehouse } from "../../adapters/local/duckdb-warehouse.js";
import { PipelineError } from "../../errors.js";
import { WarehouseStatementError } from "../../warehouse/errors.js";
import { stageOption } from "../stage-option.js";
import { cloudApp, isLocal, projectRoot, requireLocalStage, runningWatch, table } from "./shared.js";

/** The statement of `pipeline query` failed in the warehouse; the message is the warehouse's own. */
export class QueryError extends PipelineError {}

/**
 * Runs the user's statement and turns the warehouse's failure into a `QueryError` carrying the SQL error
 * (DuckDB's binder/parser message locally, the Data API's `Error` in the cloud), so that the CLI prints it
 * with a hint about the SQL rather than about run records.
 *
 * @example
 *   await runQuery(warehouse, "select nope from ops.runs"); // QueryError: Binder Error: Referenced column "nope" ...
 */
export const runQuery = async <Rows>(run: (sql: string) => Promise<Rows>, sql: string): Promise<Rows> => {
  try {
    return await run(sql);
  } catch (error) {
    if (!(error instanceof WarehouseStatementError)) throw error;
    const message = error.message.startsWith(`${error.statement}: `)
      ? error.message.slice(error.statement.length + 2)
      : error.message;
    throw new QueryError(`the statement failed: ${message}`, { cause: error });
  }
};

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
          rows = await runQuery((text) => warehouse.query(text), sql);
        } finally {
          await warehouse.close();
        }
      } else {
        const app = await cloudApp(options.stage);
        rows = await runQuery((text) => app.warehouse.query(text), sql);
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
