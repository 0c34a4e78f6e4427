import { type GeneratorOptions, type GeneratorOptionsInput, parseGeneratorOptions } from "./options.js";
import { clearOutput, expectedRowFiles, rawOutputFile, truthOutputFile, writeOutputFiles } from "./output.js";
import { Random } from "./random.js";
import { rejectThresholds } from "./thresholds.js";
import { computeTruth, type Truth } from "./truth.js";
import { WorldBuilder } from "./world.js";
import { type RawFile, writeRawFile } from "./write.js";

export type { GeneratorOptions, GeneratorOptionsInput } from "./options.js";
export { parseGeneratorOptions } from "./options.js";
export { type GenerationSummary, generateToDirectory } from "./stream.js";
export { rejectThresholds } from "./thresholds.js";
export type { Truth } from "./truth.js";

export interface GeneratedDataset {
  readonly options: GeneratorOptions;
  readonly files: readonly RawFile[];
  readonly truth: Truth;
  readonly days: ReturnType<typeof computeTruth>["days"];
}

/**
 * Generates a dataset in memory: raw files and the expected truth. Deterministic in its options.
 * Holds every file and row at once: for large datasets use `generateToDirectory`.
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

/**
 * Writes a generated dataset under `outDir`: `raw/<key>` for every file, `expected/truth.json`,
 * and (unless disabled) `expected/curated/<entity>/dt=<date>.jsonl` and
 * `expected/quarantine/<source>/dt=<date>.jsonl`. Replaces what `outDir` held.
 */
export const writeDataset = async (dataset: GeneratedDataset, outDir: string): Promise<void> => {
  await clearOutput(outDir);
  await writeOutputFiles([
    ...dataset.files.map((file) => rawOutputFile(outDir, file)),
    truthOutputFile(outDir, dataset.options, dataset.truth),
    ...(dataset.options.expectedRows ? dataset.days.flatMap((day) => expectedRowFiles(outDir, day)) : []),
  ]);
};
