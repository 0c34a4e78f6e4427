import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import { ColumnDateReader } from "../../adapters/local/duckdb-column-dates.js";
import type { Tuning } from "../../config/index.js";
import { type CompiledSource, type ContractBundle, loadContractBundle } from "../../contracts/index.js";
import { batchDateFromColumn } from "../../core/column-batch-date.js";
import { classifyKey, dateFromFileName, isoDate, routedFields } from "../../core/objects.js";
import { runIdFor } from "../../core/run-id.js";
import { explainSplit, planSplit, SPLIT_SETTINGS } from "../../core/trigger.js";
import type { RunInputObject } from "../../documents/run-input.js";
import { ValidationError } from "../../errors.js";
import type { PutObject } from "../../local/stage.js";
import type { ObjectInfo } from "../../ports/object-store.js";
import { stageOption } from "../stage-option.js";
import {
  type ContractsChoice,
  cloudApp,
  contractsOption,
  isLocal,
  localContractsDir,
  localContractsOnly,
  localStageRoot,
  openLocalStage,
  positiveInteger,
  runningWatch,
  stageTuning,
  switchContractsOption,
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

/** Reads the batch date of a file from a column of its source (`batch_date: { from: column }`). */
export type ColumnDater = (path: string, source: string) => Promise<string>;

/**
 * The raw key a dropped file gets.
 *
 * With `--source`: `<source>/dt=<date>/<file name>`, the date from `--date` (an override), else from a
 * `dt=YYYY-MM-DD` folder in the path, else from the file name when the source's contract takes its
 * batch date from file names (`batch_date: { from: file_name, pattern }`), else from the file's column when the
 * contract takes it from one (`batch_date: { from: column }`, read by `dateFromColumn`). With none of these the
 * drop is refused: a file is never filed under today's date.
 *
 * Without `--source`: the path from its last folder named like a source
 * (`…/raw/orders/dt=2017-01-02/x.csv` -> `orders/dt=2017-01-02/x.csv`), or `<source>/dt=<date>/<file>`
 * with `--date`, or with the date of its column for a file directly in the folder of a source dated by a column.
 *
 * @example
 *   await keyForDrop("sample/raw/orders/dt=2017-01-02/o.csv", {}, bundle.sources, dater); // "orders/dt=2017-01-02/o.csv"
 *   await keyForDrop("in/2010-12-01.csv", { source: "retail" }, bundle.sources, dater);  // "retail/dt=2010-12-01/2010-12-01.csv"
 *   await keyForDrop("in/export.csv", { source: "by_column" }, bundle.sources, dater);   // "by_column/dt=<latest date in the column>/export.csv"
 */
export const keyForDrop = async (
  path: string,
  options: { source?: string; date?: string },
  contracts: Readonly<Record<string, Pick<CompiledSource, "batch_date">>>,
  dateFromColumn: ColumnDater,
): Promise<string> => {
  const override = options.date === undefined ? undefined : isoDate(options.date);
  if (options.date !== undefined && !override) {
    throw new ValidationError(`--date must be a calendar date YYYY-MM-DD, got ${options.date}`);
  }
  const segments = path.split(sep);
  const name = basename(path);
  if (options.source) {
    const batchDate = contracts[options.source]?.batch_date;
    let date = override ?? dateOfPath(segments.slice(0, -1), path);
    if (!date && batchDate?.from === "file_name") {
      const fromName = dateFromFileName(name, batchDate.pattern);
      if (fromName === "invalid") throw new ValidationError(`${path}: its file name names no calendar date`);
      if (fromName !== "no_match") date = fromName;
    }
    if (!date && batchDate?.from === "column") date = await dateFromColumn(path, options.source);
    if (!date) {
      const how =
        batchDate?.from === "file_name"
          ? `its name does not match the ${options.source} contract's batch_date.pattern ${batchDate.pattern}`
          : `its path has no dt=YYYY-MM-DD folder and the ${options.source} contract takes no date from the file (batch_date)`;
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
  const source = segments[at] as string;
  if (override) return `${source}/dt=${override}/${name}`;
  if (at === segments.length - 2 && contracts[source]?.batch_date.from === "column") {
    return `${source}/dt=${await dateFromColumn(path, source)}/${name}`;
  }
  return segments.slice(at).join("/");
};

/**
 * Dates files by their source's date column (`batch_date: { from: column }`) for one drop: one DuckDB reader, opened
 * at the first such file, and the notes to show (several dates in a file, values ignored).
 */
export const columnDating = (
  bundle: ContractBundle,
): { dateOf: ColumnDater; readonly notes: string[]; close: () => void } => {
  let reader: ColumnDateReader | undefined;
  const notes: string[] = [];
  const dateOf: ColumnDater = async (path, sourceName) => {
    const source = bundle.sources[sourceName];
    if (source?.batch_date.from !== "column") throw new RangeError(`${sourceName} is not dated by a column`);
    const name = source.batch_date.column;
    const column = source.columns.find((candidate) => candidate.name === name);
    reader ??= await ColumnDateReader.open();
    const shownPath = relative(process.cwd(), path).startsWith("..") ? path : relative(process.cwd(), path);
    const found = await reader.read(path, source, name);
    const dated = batchDateFromColumn(found, {
      file: shownPath,
      column: name,
      type: column?.type ?? "timestamp",
      format: column?.format ?? null,
    });
    notes.push(...dated.notes);
    return dated.date;
  };
  return { dateOf, notes, close: () => reader?.close() };
};

/**
 * What the trigger will make of the dropped objects: its runs (with their ids), why it split them, and how many
 * objects it will not route (recorded under `_unrouted`).
 */
export const predictRuns = (
  infos: readonly (ObjectInfo & { readonly version: string })[],
  bundle: ContractBundle,
  tuning: Pick<Tuning, "batchMaxFiles" | "batchMaxBytes" | "batchMaxInputChars">,
): { runIds: string[]; why: string; unrouted: number } => {
  const objects: { object: RunInputObject }[] = [];
  let unrouted = 0;
  for (const info of infos) {
    const routed = classifyKey(info.key, bundle);
    if (!routed.ok) {
      unrouted += 1;
      continue;
    }
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
    unrouted,
  };
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * One line: how many runs the drop became, and why when more than one; the files no run takes (not routed).
 *
 * @example
 *   describeRuns(305, { runIds: ["run-a", "run-b"], why: "a run takes at most 200 files (BATCH_MAX_FILES)", unrouted: 0 });
 *   // "305 files -> 2 runs: a run takes at most 200 files (BATCH_MAX_FILES); to make it one run: --max-files <n> (or BATCH_MAX_FILES)"
 */
export const describeRuns = (
  files: number,
  predicted: { runIds: readonly string[]; why: string; unrouted?: number },
): string => {
  const runs = predicted.runIds.length;
  const unrouted = predicted.unrouted ?? 0;
  const line =
    `${plural(files, "file")} -> ${plural(runs, "run")}` +
    (unrouted > 0
      ? ` (${plural(unrouted, "file")} not routed: recorded under quarantine/_unrouted with the reason noted above)`
      : "");
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
    .addOption(contractsOption())
    .addOption(switchContractsOption())
    .option("--source <name>", "the source contract the files belong to (default: from the path)")
    .option(
      "--date <YYYY-MM-DD>",
      "batch date (the dt= folder), overriding the one from the path, or the file name or date column the contract names",
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
        options: {
          stage: string;
          source?: string;
          date?: string;
          maxFiles?: number;
          spark: "warm" | "cold";
        } & ContractsChoice,
      ) => {
        localContractsOnly(options.stage, options);
        const local = isLocal(options.stage);
        // The contracts the files are keyed by are the ones the stage routes them by: a local stage's folder, or
        // the bundle deployed to dev/prod.
        const cloud = local ? undefined : await cloudApp(options.stage);
        const contractsDir = local ? await localContractsDir(options.stage, options) : undefined;
        const bundle = cloud ? await cloud.contracts.get() : await loadContractBundle(contractsDir as string);
        if (options.source && !bundle.sources[options.source]) {
          process.stdout.write(
            `note: no contract named ${options.source}; the file will be recorded as unroutable\n`,
          );
        }
        const files = await expandPaths(paths);
        if (files.length === 0) throw new ValidationError("nothing to drop: no files under the given paths");
        const dating = columnDating(bundle);
        const keyed: { file: string; key: string }[] = [];
        try {
          for (const file of files) {
            keyed.push({ file, key: await keyForDrop(file, options, bundle.sources, dating.dateOf) });
          }
        } finally {
          dating.close();
        }
        for (const note of dating.notes) process.stdout.write(`note: ${note}\n`);
        for (const { key } of keyed) {
          const routed = classifyKey(key, bundle);
          if (!routed.ok && bundle.sources[routed.source ?? ""]) {
            process.stdout.write(
              `note: ${key} will be recorded as unroutable (${routed.reason}: ${routed.detail})\n`,
            );
          }
        }
        if (cloud) {
          const infos: PutObject[] = [];
          for (const { file, key } of keyed) {
            infos.push({
              ...(await cloud.store.put({ bucket: "raw", key }, await readFile(file))),
              version: "",
            });
            process.stdout.write(`  ${cloud.store.uri({ bucket: "raw", key })}\n`);
          }
          const predicted = predictRuns(infos, bundle, cloud.config.tuning);
          process.stdout.write(
            `dropped ${describeRuns(keyed.length, predicted)}, if the trigger receives them in one batch window ` +
              `(a window is one run, split only past the stage's bounds; files that arrive across windows make a ` +
              `run each); follow the runs with: pipeline runs --stage ${options.stage}\n`,
          );
          return;
        }
        const tuning = stageTuning(options.maxFiles === undefined ? {} : { batchMaxFiles: options.maxFiles });
        const watcher = await runningWatch(options.stage);
        if (watcher) {
          if (options.switchContracts) {
            throw new ValidationError(
              `the running watch (pid ${watcher}) holds the stage ${options.stage}: stop it to switch its contracts`,
            );
          }
          const { LocalObjectStore } = await import("../../adapters/local/local-object-store.js");
          const store = new LocalObjectStore(localStageRoot(options.stage));
          for (const { file, key } of keyed) await store.put({ bucket: "raw", key }, await readFile(file));
          process.stdout.write(
            `dropped ${plural(keyed.length, "file")} into the raw bucket; the running watch (pid ${watcher}) takes them ` +
              "with its own batch-window settings (one run per window, split past its bounds)\n",
          );
          return;
        }
        const { stage, progress } = await openLocalStage(options.stage, {
          spark: options.spark,
          tuning,
          contracts: contractsDir as string,
          ...(options.switchContracts ? { switchContracts: true } : {}),
        });
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
