import { type Command, Option } from "commander";
import { readParquet } from "../../adapters/local/duckdb-parquet-reader.js";
import {
  QUARANTINE_REASONS,
  type QuarantinedRow,
  type QuarantineQuery,
  quarantinedRow,
  quarantineFiles,
} from "../../core/quarantined-rows.js";
import { NotFoundError } from "../../errors.js";
import type { ObjectStore } from "../../ports/object-store.js";
import { stageOption } from "../stage-option.js";
import { positiveInteger, runReader, table } from "./shared.js";

/** The rows a quarantine query selected, and how many matched in all. */
export interface QuarantineListing {
  readonly rows: QuarantinedRow[];
  readonly matched: number;
  readonly files: number;
}

/**
 * Reads the quarantined rows a query selects from the stage's quarantine Parquet, through the object store port
 * (local folders or S3, the same code), sorted by run, source file and line.
 *
 * @example
 *   const { rows, matched } = await readQuarantine(store, { source: "orders", reason: "invalid_type", limit: 20 });
 */
export const readQuarantine = async (
  store: Pick<ObjectStore, "list" | "get" | "parseUri">,
  query: QuarantineQuery,
): Promise<QuarantineListing> => {
  const files = await quarantineFiles(store, query);
  const bytes = await Promise.all(files.map((file) => store.get(file.object)));
  const read = await readParquet(bytes, {
    ...(query.reason ? { equals: { _reason: query.reason } } : {}),
    orderBy: ["_run_id", "_source_file", "_source_line"],
    limit: query.limit,
  });
  const rows = read.rows.map((row, i) => {
    const index = read.fileIndexes[i] ?? -1;
    const file = files[index];
    if (!file) throw new NotFoundError("a Parquet row without its file");
    return quarantinedRow(row, file, store, read.columns[index]);
  });
  return { rows, matched: read.matched, files: files.length };
};

const oneLine = (text: string): string => text.replaceAll("\r", "\\r").replaceAll("\n", "\\n");

const valuesText = (values: QuarantinedRow["values"]): string =>
  Object.entries(values)
    .map(([column, value]) => `${column}=${value === null ? "∅" : JSON.stringify(oneLine(value))}`)
    .join(" ");

/** The listing as text: one block per row (where, why, the raw values), then how many matched. */
export const renderQuarantine = (listing: QuarantineListing, query: QuarantineQuery): string => {
  if (listing.rows.length === 0) {
    const what = [
      query.runId && `run ${query.runId}`,
      query.source && `source ${query.source}`,
      query.reason && `reason ${query.reason}`,
    ].filter(Boolean);
    return `no quarantined rows${what.length ? ` for ${what.join(", ")}` : ""} (${listing.files} quarantine file${listing.files === 1 ? "" : "s"} read)\n`;
  }
  const body = table(
    ["RUN", "FILE", "LINE", "REASON", "COLUMN", "DETAIL"],
    listing.rows.map((row) => [
      row.run_id,
      row.file,
      row.line === null ? "" : String(row.line),
      row.reason,
      row.reason_column ?? "",
      row.reason_detail ?? "",
    ]),
  ).split("\n");
  const lines = [body[0], body[1]];
  listing.rows.forEach((row, i) => {
    lines.push(body[i + 2], `    ${valuesText(row.values)}`);
  });
  const more =
    listing.matched > listing.rows.length
      ? `${listing.rows.length} of ${listing.matched} matching rows shown (--limit ${query.limit})`
      : `${listing.matched} row${listing.matched === 1 ? "" : "s"}`;
  return `${lines.join("\n")}\n(${more})\n`;
};

export const registerQuarantineCommand = (program: Command): void => {
  program
    .command("quarantine")
    .description("print quarantined rows: file, line, reason, reason column and detail, raw values")
    .addOption(stageOption())
    .option("--run <id>", "rows of one run")
    .option("--source <source>", "rows of one source")
    .addOption(new Option("--reason <reason>", "rows quarantined for one reason").choices(QUARANTINE_REASONS))
    .option("--limit <n>", "print at most n rows", positiveInteger, 50)
    .option("--json", "print rows as JSON")
    .action(
      async (options: {
        stage: string;
        run?: string;
        source?: string;
        reason?: string;
        limit: number;
        json?: boolean;
      }) => {
        const reader = await runReader(options.stage);
        const query: QuarantineQuery = {
          ...(options.run ? { runId: options.run } : {}),
          ...(options.source ? { source: options.source } : {}),
          ...(options.reason ? { reason: options.reason } : {}),
          limit: options.limit,
        };
        const listing = await readQuarantine(reader.store, query);
        process.stdout.write(
          options.json
            ? `${JSON.stringify({ matched: listing.matched, rows: listing.rows }, null, 2)}\n`
            : renderQuarantine(listing, query),
        );
      },
    );
};
