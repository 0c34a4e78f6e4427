import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { loadContractBundleSync } from "../contracts/index.js";
import { ValidationError } from "../errors.js";
import { type GeneratorOptions, type GeneratorOptionsInput, generatorOptionsSchema } from "./options.js";
import { Random } from "./random.js";
import { computeTruth, curatedRecord, type Truth } from "./truth.js";
import { WorldBuilder } from "./world.js";
import { type RawFile, writeRawFile } from "./write.js";

export type { GeneratorOptions, GeneratorOptionsInput } from "./options.js";
export type { Truth } from "./truth.js";

export interface GeneratedDataset {
  readonly options: GeneratorOptions;
  readonly files: readonly RawFile[];
  readonly truth: Truth;
  readonly days: ReturnType<typeof computeTruth>["days"];
}

/** Validates generator options, failing with the offending path. */
export const parseGeneratorOptions = (input: GeneratorOptionsInput): GeneratorOptions => {
  const parsed = generatorOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `generator option ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
};

/**
 * Generates a dataset in memory: raw files and the expected truth. Deterministic in its options.
 *
 * @example
 *   const dataset = generateDataset({ seed: 7, orders: 500, days: 5 });
 *   dataset.files[0].key; // "category_translation/dt=2017-01-02/category_translation-2017-01-02.csv"
 */
export const generateDataset = (input: GeneratorOptionsInput): GeneratedDataset => {
  const options = parseGeneratorOptions(input);
  const builder = new WorldBuilder(options);
  const sourceDays = builder.build();
  // A separate stream for formatting choices, so that layout never shifts the data.
  const formatting = new Random(options.seed ^ 0x5eed);
  const files = sourceDays.map((sourceDay) =>
    writeRawFile(sourceDay, builder.dayStart(sourceDay.day), formatting, options.rates.optionalQuote),
  );
  const { truth, days } = computeTruth(files, rejectThresholds(options.contracts));
  return { options, files, truth, days };
};

/** source -> the `max_reject_rate` threshold of its error-severity rule, from the contracts. */
export const rejectThresholds = (contractsDir: string): ReadonlyMap<string, number> => {
  const thresholds = new Map<string, number>();
  for (const [source, compiled] of Object.entries(loadContractBundleSync(contractsDir).sources)) {
    for (const rule of compiled.quality) {
      if (rule.rule === "max_reject_rate" && rule.severity === "error")
        thresholds.set(source, rule.threshold);
    }
  }
  return thresholds;
};

const jsonLines = (rows: readonly object[]): string => rows.map((row) => `${JSON.stringify(row)}\n`).join("");

/**
 * Writes a generated dataset under `outDir`: `raw/<key>` for every file, `expected/truth.json`,
 * and (unless disabled) `expected/curated/<entity>/dt=<date>.jsonl` and
 * `expected/quarantine/<source>/dt=<date>.jsonl`. Replaces what `outDir` held.
 */
export const writeDataset = async (dataset: GeneratedDataset, outDir: string): Promise<void> => {
  await rm(join(outDir, "raw"), { recursive: true, force: true });
  await rm(join(outDir, "expected"), { recursive: true, force: true });
  const writes: Promise<void>[] = [];
  const put = (path: string, content: string | Buffer): void => {
    writes.push(mkdir(dirname(path), { recursive: true }).then(() => writeFile(path, content)));
  };
  for (const file of dataset.files) put(join(outDir, "raw", file.key), file.content);
  const meta = {
    generator: {
      seed: dataset.options.seed,
      orders: dataset.options.orders,
      days: dataset.options.days,
      start_date: dataset.options.startDate,
      rates: dataset.options.rates,
    },
  };
  put(join(outDir, "expected", "truth.json"), `${JSON.stringify({ ...meta, ...dataset.truth }, null, 2)}\n`);
  if (dataset.options.expectedRows) {
    for (const day of dataset.days) {
      for (const [entity, rows] of day.curated) {
        put(
          join(outDir, "expected", "curated", entity, `dt=${day.batchDate}.jsonl`),
          jsonLines(rows.map(curatedRecord)),
        );
      }
      for (const [source, rows] of day.quarantine) {
        put(join(outDir, "expected", "quarantine", source, `dt=${day.batchDate}.jsonl`), jsonLines(rows));
      }
    }
  }
  await Promise.all(writes);
};
