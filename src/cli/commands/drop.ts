import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, resolve, sep } from "node:path";
import type { Command } from "commander";
import type { Tuning } from "../../config/index.js";
import { type CompiledSource, type ContractBundle, loadContractBundle } from "../../contracts/index.js";
import { classifyKey, dateFromFileName, isoDate, routedFields } from "../../core/objects.js";
import { runIdFor } from "../../core/run-id.js";
import { explainSplit, planSplit, SPLIT_SETTINGS } from "../../core/trigger.js";
import type { RunInputObject } from "../../documents/run-input.js";
import { ValidationError } from "../../errors.js";
import type { PutObject } from "../../local/stage.js";
import type { ObjectInfo } from "../../ports/object-store.js";
import { stageOption } from "../stage-option.js";
import {
  cloudApp,
  isLocal,
  localStageRoot,
  openLocalStage,
  positiveInteger,
  projectRoot,
  runningWatch,
  stageTuning,
} from "./shared.js";

/** Files under the given paths (folders are walked), as absolute normalized paths, sorted. */
export const expandPaths = async (paths: readonly string[]): Promise<string[]> => {
  const files: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const entry of (await readdir(path)).sort()) await walk(join(path, entry));
    } else if (info.isFile()) files.push(path);
  };
  for (const path of paths) await walk(resolve(path));
  return files;
};

const DT_FOLDER = /^dt=(.*)$/;

/** The date of a `dt=` folder in a path, checked against the calendar; undefined when there is none. */
const dateOfPath = (segments: readonly string[], path: string): string | undefined => {
  const folder = segments.map((segment) => DT_FOLDER.exec(segment)?.[1]).find((date) => date !== undefined);
  if (folder === undefined) return undefined;
  const date = isoDate(folder);
  if (!date)
    throw new ValidationError(`${path}: its folder dt=${folder} is not a calendar date (YYYY-MM-DD)`);
  return date;
};

/**
 * The raw key a dropped file gets.
 *
 * With `--source`: `<source>/dt=<date>/<file name>`, the date from `--date` (an override), else from a
 * `dt=YYYY-MM-DD` folder in the path, else from the file name when the source's contract takes its
 * batch date from file names (`batch_date: { from: file_name, pattern }`). With none of these the drop
 * is refused: a file is never filed under today's date.
 *
 * Without `--source`: the path from its last folder named like a source
 * (`…/raw/orders/dt=2017-01-02/x.csv` -> `orders/dt=2017-01-02/x.csv`), or `<source>/dt=<date>/<file>`
 * with `--date`.
 *
 * @example
 *   keyForDrop("sample/raw/orders/dt=2017-01-02/o.csv", {}, bundle.sources); // "orders/dt=2017-01-02/o.csv"
 *   keyForDrop("in/2010-12-01.csv", { source: "retail" }, bundle.sources);  // "retail/dt=2010-12-01/2010-12-01.csv"
 */
export const keyForDrop = (
  path: string,
  options: { source?: string; date?: string },
  contracts: Readonly<Record<string, Pick<CompiledSource, "batch_date">>>,
): string => {
  const override = options.date === undefined ? undefined : isoDate(options.date);
  if (options.date !== undefined && !override) {
    throw new ValidationError(`--date must be a calendar date YYYY-MM-DD, got ${options.date}`);
  }
  const segments = path.split(sep);
  const name = basename(path);
  if (options.source) {
    const contract = contracts[options.source];
    let date = override ?? dateOfPath(segments.slice(0, -1), path);
    if (!date && contract?.batch_date.from === "file_name") {
      const fromName = dateFromFileName(name, contract.batch_date.pattern);
      if (fromName === "invalid") throw new ValidationError(`${path}: its file name names no calendar date`);
      if (fromName !== "no_match") date = fromName;
    }
    if (!date) {
      const how =
        contract?.batch_date.from === "file_name"
          ? `its name does not match the ${options.source} contract's batch_date.pattern ${contract.batch_date.pattern}`
          : `its path has no dt=YYYY-MM-DD folder and the ${options.source} contract does not take dates from file names (batch_date)`;
      throw new ValidationError(`cannot tell the batch date of ${path}: ${how}; pass --date YYYY-MM-DD`);
    }
    return `${options.source}/dt=${date}/${name}`;
  }
  const sources = Object.keys(contracts);
  // The last folder named like a source: paths are absolute, and an ancestor may share a source's name.
  const at = segments.findLastIndex((segment, i) => i < segments.length - 1 && sources.includes(segment));
  if (at < 0) {
    throw new ValidationError(
      `cannot tell the source of ${path}: pass --source <name> (one of ${sources.join(", ")})`,
    );
  }
  if (override) return `${segments[at]}/dt=${override}/${name}`;
  return segments.slice(at).join("/");
};

/** What the trigger will make of the dropped objects: its runs (with their ids) and why it split them. */
export const predictRuns = (
  infos: readonly (ObjectInfo & { readonly version: string })[],
  bundle: ContractBundle,
  tuning: Pick<Tuning, "batchMaxFiles" | "batchMaxBytes" | "batchMaxInputChars">,
): { runIds: string[]; why: string } => {
  const objects: { object: RunInputObject }[] = [];
  for (const info of infos) {
    const routed = classifyKey(info.key, bundle);
    if (!routed.ok) continue;
    objects.push({
      object: {
        bucket: "raw",
        key: info.key,
        etag: info.etag,
        size: info.size,
        ...routedFields(routed),
        uploaded_at: info.lastModified,
        version: info.version,
      },
    });
  }
  const { chunks, reasons } = planSplit(objects, tuning);
  return {
    runIds: chunks.map((chunk) =>
      runIdFor(
        chunk.map(({ object }) => ({
          key: object.key,
          etag: object.etag,
          version: object.version,
          batchDate: object.batch_date,
        })),
      ),
    ),
    why: reasons.length > 0 ? explainSplit(reasons, tuning) : "",
  };
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One line: how many runs the drop became, and why when more than one. */
export const describeRuns = (files: number, predicted: { runIds: string[]; why: string }): string => {
  const runs = predicted.runIds.length;
  const line = `${plural(files, "file")} -> ${plural(runs, "run")}`;
  if (runs <= 1) return line;
  const raise = predicted.why.includes(SPLIT_SETTINGS.files.variable)
    ? "; to make it one run: --max-files <n> (or BATCH_MAX_FILES)"
    : "";
  return `${line}: ${predicted.why}${raise}`;
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
    .option(
      "--date <YYYY-MM-DD>",
      "batch date (the dt= folder), overriding the one from the path or the contract's file-name pattern",
    )
    .option(
      "--max-files <n>",
      "local: files one run takes at most (default: BATCH_MAX_FILES or 200)",
      positiveInteger,
    )
    .option(
      "--spark <mode>",
      "local Spark: cold (a process for this run: the quickest for one window) or warm (one process kept for every run)",
      "cold",
    )
    .action(
      async (
        paths: string[],
        options: { stage: string; source?: string; date?: string; maxFiles?: number; spark: "warm" | "cold" },
      ) => {
        const bundle = await loadContractBundle(join(projectRoot(), "contracts"));
        if (options.source && !bundle.sources[options.source]) {
          process.stdout.write(
            `note: no contract named ${options.source}; the file will be recorded as unroutable\n`,
          );
        }
        const files = await expandPaths(paths);
        if (files.length === 0) throw new ValidationError("nothing to drop: no files under the given paths");
        const keyed = files.map((file) => ({ file, key: keyForDrop(file, options, bundle.sources) }));
        for (const { key } of keyed) {
          const routed = classifyKey(key, bundle);
          if (!routed.ok && bundle.sources[routed.source ?? ""]) {
            process.stdout.write(
              `note: ${key} will be recorded as unroutable (${routed.reason}: ${routed.detail})\n`,
            );
          }
        }
        if (!isLocal(options.stage)) {
          const app = await cloudApp(options.stage);
          for (const { file, key } of keyed) {
            await app.store.put({ bucket: "raw", key }, await readFile(file));
            process.stdout.write(`  ${app.store.uri({ bucket: "raw", key })}\n`);
          }
          process.stdout.write(
            `dropped ${plural(keyed.length, "file")}; the trigger splits a window past its BATCH_MAX_FILES; ` +
              `follow the runs with: pipeline runs --stage ${options.stage}\n`,
          );
          return;
        }
        const tuning = stageTuning(options.maxFiles === undefined ? {} : { batchMaxFiles: options.maxFiles });
        const watcher = await runningWatch(options.stage);
        if (watcher) {
          const { LocalObjectStore } = await import("../../adapters/local/local-object-store.js");
          const store = new LocalObjectStore(localStageRoot(options.stage));
          for (const { file, key } of keyed) await store.put({ bucket: "raw", key }, await readFile(file));
          process.stdout.write(
            `dropped ${plural(keyed.length, "file")} into the raw bucket; the running watch (pid ${watcher}) takes them ` +
              "with its own batch-window settings\n",
          );
          return;
        }
        const { stage, progress } = await openLocalStage(options.stage, { spark: options.spark, tuning });
        const earlier: string[] = [];
        try {
          process.stdout.write(
            `dropping ${plural(keyed.length, "file")} into ${stage.store.bucketPath("raw")}\n`,
          );
          const infos: PutObject[] = [];
          for (const { file, key } of keyed) {
            infos.push(await stage.dropFile(file, key));
            process.stdout.write(`  + ${key}\n`);
          }
          const predicted = predictRuns(infos, bundle, stage.config.tuning);
          process.stdout.write(`${describeRuns(keyed.length, predicted)}\n`);
          await stage.settle();
          // A run id is a function of the files' keys, contents and versions; every PUT is a new version, so a
          // predicted run that did not run here already existed (the same notification delivered twice).
          const ran = new Set(progress.finished.map((run) => run.runId));
          for (const runId of predicted.runIds.filter((id) => !ran.has(id))) {
            const existing = await stage.workflow.describe(runId);
            const how = existing
              ? `${existing.status}${existing.error ? ` (${existing.error})` : ""}`
              : "unknown";
            earlier.push(
              `  = ${runId} already ran these exact files (same keys, contents and versions; it ended ${how}): nothing new to run; ` +
                `to run them again: pipeline replay --run ${runId} --stage ${options.stage}\n`,
            );
            if (existing && existing.status !== "SUCCEEDED") process.exitCode = 2;
          }
        } finally {
          await stage.close();
        }
        for (const line of earlier) process.stdout.write(line);
        const failed = progress.finished.filter((run) => run.status !== "SUCCEEDED");
        if (failed.length > 0) process.exitCode = 2;
      },
    );
};
