import { readdir, stat } from "node:fs/promises";
import { basename, join, sep } from "node:path";
import type { Command } from "commander";
import { loadContractBundle } from "../../contracts/index.js";
import { ValidationError } from "../../errors.js";
import { stageOption } from "../stage-option.js";
import { cloudApp, isLocal, openLocalStage, projectRoot, runningWatch } from "./shared.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Files under the given paths (folders are walked), sorted. */
export const expandPaths = async (paths: readonly string[]): Promise<string[]> => {
  const files: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const entry of (await readdir(path)).sort()) await walk(join(path, entry));
    } else if (info.isFile()) files.push(path);
  };
  for (const path of paths) await walk(path);
  return files;
};

/**
 * The raw key a dropped file gets: `<source>/dt=<date>/<file name>` with `--source` (the date from
 * `--date`, from a `dt=` folder in the path, or today), else the path from its first folder named
 * like a source (`…/raw/orders/dt=2017-01-02/x.csv` -> `orders/dt=2017-01-02/x.csv`).
 *
 * @example
 *   keyForDrop("sample/raw/orders/dt=2017-01-02/o.csv", {}, ["orders"]); // "orders/dt=2017-01-02/o.csv"
 */
export const keyForDrop = (
  path: string,
  options: { source?: string; date?: string },
  sources: readonly string[],
  today: string = new Date().toISOString().slice(0, 10),
): string => {
  const segments = path.split(sep);
  if (options.source) {
    const fromPath = segments.map((s) => /^dt=(\d{4}-\d{2}-\d{2})$/.exec(s)?.[1]).find(Boolean);
    const date = options.date ?? fromPath ?? today;
    if (!DATE.test(date)) throw new ValidationError(`--date must be YYYY-MM-DD, got ${date}`);
    return `${options.source}/dt=${date}/${basename(path)}`;
  }
  const at = segments.findIndex((segment, i) => i < segments.length - 1 && sources.includes(segment));
  if (at < 0) {
    throw new ValidationError(
      `cannot tell the source of ${path}: pass --source <name> (one of ${sources.join(", ")})`,
    );
  }
  return segments.slice(at).join("/");
};

export const registerDropCommand = (program: Command): void => {
  program
    .command("drop")
    .description(
      "put files into the raw bucket, as an upload would; locally, run the batch window through the workflow",
    )
    .argument("<paths...>", "files or folders (folders are walked)")
    .addOption(stageOption())
    .option("--source <name>", "the source contract the files belong to (default: from the path)")
    .option("--date <YYYY-MM-DD>", "business date for the dt= folder (with --source)")
    .option(
      "--spark <mode>",
      "local Spark: cold (a process for this run: the quickest for one window) or warm (one process kept for every run)",
      "cold",
    )
    .action(
      async (
        paths: string[],
        options: { stage: string; source?: string; date?: string; spark: "warm" | "cold" },
      ) => {
        const bundle = await loadContractBundle(join(projectRoot(), "contracts"));
        const sources = Object.keys(bundle.sources);
        if (options.source && !sources.includes(options.source)) {
          process.stdout.write(
            `note: no contract named ${options.source}; the file will be recorded as unroutable\n`,
          );
        }
        const files = await expandPaths(paths);
        if (files.length === 0) throw new ValidationError("nothing to drop: no files under the given paths");
        const keyed = files.map((file) => ({ file, key: keyForDrop(file, options, sources) }));
        if (!isLocal(options.stage)) {
          const app = await cloudApp(options.stage);
          const { readFile } = await import("node:fs/promises");
          for (const { file, key } of keyed) {
            await app.store.put({ bucket: "raw", key }, await readFile(file));
            process.stdout.write(`  ${app.store.uri({ bucket: "raw", key })}\n`);
          }
          process.stdout.write(
            `dropped ${keyed.length} file(s); follow the runs with: pipeline runs --stage ${options.stage}\n`,
          );
          return;
        }
        const watcher = await runningWatch(options.stage);
        if (watcher) {
          const { LocalObjectStore } = await import("../../adapters/local/local-object-store.js");
          const store = new LocalObjectStore(join(projectRoot(), ".local", options.stage));
          const { readFile } = await import("node:fs/promises");
          for (const { file, key } of keyed) await store.put({ bucket: "raw", key }, await readFile(file));
          process.stdout.write(
            `dropped ${keyed.length} file(s) into the raw bucket; the running watch (pid ${watcher}) takes them\n`,
          );
          return;
        }
        const { stage, progress } = await openLocalStage(options.stage, { spark: options.spark });
        try {
          process.stdout.write(`dropping ${keyed.length} file(s) into ${stage.store.bucketPath("raw")}\n`);
          for (const { file, key } of keyed) {
            await stage.dropFile(file, key);
            process.stdout.write(`  + ${key}\n`);
          }
          await stage.settle();
        } finally {
          await stage.close();
        }
        const failed = progress.finished.filter((run) => run.status !== "SUCCEEDED");
        if (failed.length > 0) process.exitCode = 2;
      },
    );
};
