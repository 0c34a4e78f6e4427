import { type GeneratorOptionsInput, parseGeneratorOptions } from "./options.js";
import { clearOutput, expectedRowFiles, rawOutputFile, truthOutputFile, writeOutputFiles } from "./output.js";
import { Random } from "./random.js";
import { rejectThresholds } from "./thresholds.js";
import { type Truth, TruthAccumulator } from "./truth-accumulator.js";
import { WorldBuilder } from "./world.js";
import { writeRawFile } from "./write.js";

/** What a streamed generation wrote. */
export interface GenerationSummary {
  readonly truth: Truth;
  /** Raw files written and their total size in bytes. */
  readonly files: number;
  readonly bytes: number;
}

/**
 * Generates a dataset straight to `outDir`, one day at a time: each day's raw files (and expected
 * rows) are written and dropped before the next day is built, and the truth is folded day by day.
 * Memory stays bounded by one day's rows plus the state later days need (people, product and id
 * sets), whatever the number of days. Writes exactly what `writeDataset(generateDataset(...))` writes.
 *
 * @example
 *   const { truth } = await generateToDirectory({ seed: 7, orders: 3_900_000, days: 30 }, "/tmp/big");
 */
export const generateToDirectory = async (
  input: GeneratorOptionsInput,
  outDir: string,
): Promise<GenerationSummary> => {
  const options = parseGeneratorOptions(input);
  await clearOutput(outDir);
  const builder = new WorldBuilder(options);
  // The same separate formatting stream as the in-memory path, drawn in the same file order.
  const formatting = new Random(options.seed ^ 0x5eed);
  const accumulator = new TruthAccumulator(rejectThresholds(options.contracts));
  let files = 0;
  let bytes = 0;
  for (const sourceDays of builder.buildDays()) {
    const rawFiles = sourceDays.map((sourceDay) =>
      writeRawFile(sourceDay, builder.dayStart(sourceDay.day), formatting, options.rates.optionalQuote),
    );
    await writeOutputFiles(rawFiles.map((file) => rawOutputFile(outDir, file)));
    files += rawFiles.length;
    bytes += rawFiles.reduce((sum, file) => sum + file.content.length, 0);
    const day = accumulator.addDay(rawFiles, options.expectedRows);
    if (options.expectedRows) await writeOutputFiles(expectedRowFiles(outDir, day));
  }
  const truth = accumulator.finish();
  await writeOutputFiles([truthOutputFile(outDir, options, truth)]);
  return { truth, files, bytes };
};
