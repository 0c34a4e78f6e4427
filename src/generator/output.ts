import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { curatedRecord, type DayTruth } from "./day-truth.js";
import type { GeneratorOptions } from "./options.js";
import type { Truth } from "./truth-accumulator.js";
import type { RawFile } from "./write.js";

/**
 * Where a generated dataset goes under its output folder, and what each file holds: `raw/<key>` for
 * every raw file, `expected/truth.json`, and (optionally) `expected/curated/<entity>/dt=<date>.jsonl`
 * and `expected/quarantine/<source>/dt=<date>.jsonl`.
 */

export interface OutputFile {
  readonly path: string;
  readonly content: string | Buffer;
}

/** Empties the folders a dataset is written to. */
export const clearOutput = async (outDir: string): Promise<void> => {
  await rm(join(outDir, "raw"), { recursive: true, force: true });
  await rm(join(outDir, "expected"), { recursive: true, force: true });
};

/** Writes files concurrently, creating their folders. */
export const writeOutputFiles = async (files: readonly OutputFile[]): Promise<void> => {
  await Promise.all(
    files.map(async (file) => {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content);
    }),
  );
};

export const rawOutputFile = (outDir: string, file: RawFile): OutputFile => ({
  path: join(outDir, "raw", file.key),
  content: file.content,
});

const jsonLines = (rows: readonly object[]): string => rows.map((row) => `${JSON.stringify(row)}\n`).join("");

/** One day's expected curated and quarantined rows. */
export const expectedRowFiles = (outDir: string, day: DayTruth): OutputFile[] => {
  const files: OutputFile[] = [];
  for (const [entity, rows] of day.curated) {
    files.push({
      path: join(outDir, "expected", "curated", entity, `dt=${day.batchDate}.jsonl`),
      content: jsonLines(rows.map(curatedRecord)),
    });
  }
  for (const [source, rows] of day.quarantine) {
    files.push({
      path: join(outDir, "expected", "quarantine", source, `dt=${day.batchDate}.jsonl`),
      content: jsonLines(rows),
    });
  }
  return files;
};

/** `expected/truth.json`: the generator's options, then the truth. */
export const truthOutputFile = (outDir: string, options: GeneratorOptions, truth: Truth): OutputFile => {
  const meta = {
    generator: {
      seed: options.seed,
      orders: options.orders,
      days: options.days,
      start_date: options.startDate,
      rates: options.rates,
    },
  };
  return {
    path: join(outDir, "expected", "truth.json"),
    content: `${JSON.stringify({ ...meta, ...truth }, null, 2)}\n`,
  };
};
