import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type GeneratorOptionsInput,
  generateDataset,
  type Truth,
  writeDataset,
} from "../../../src/generator/index.js";
import { type CuratedRun, curatedRuns, runIdOf, testVersion } from "./curated-runs.js";
import { tempDir } from "./warehouse.js";

export interface GeneratedRuns {
  readonly dir: string;
  readonly truth: Truth;
  /** One run per day, in day order. */
  readonly runs: readonly CuratedRun[];
  /** The same days again under other run ids (a replay of every day). */
  readonly replays: readonly CuratedRun[];
}

/**
 * Generates a dataset with the project's generator and turns its expected curated rows into one run of
 * curated Parquet per day (and a replay of each day under another run id).
 */
export const generatedRuns = async (options: GeneratorOptionsInput): Promise<GeneratedRuns> => {
  const dir = await tempDir("gen");
  const dataset = generateDataset(options);
  await writeDataset(dataset, dir);
  // A source the quality gate stops on a day never reaches the warehouse: publish only what passes.
  const stopped = new Set(dataset.truth.gated.map((gated) => `${gated.batch_date}/${gated.source}`));
  const published = (run: CuratedRun): CuratedRun => ({
    ...run,
    files: new Map([...run.files].filter(([entity]) => !stopped.has(`${run.day}/${entity}`))),
    objects: run.objects.filter((object) => !stopped.has(`${run.day}/${object.entity}`)),
  });
  const runs = (await curatedRuns(dir, join(dir, "parquet"))).map(published);
  // A replay reads the same bytes later: a newer version of the same files.
  const replays = (
    await curatedRuns(dir, join(dir, "parquet-replay"), (day) => runIdOf(day, "replay"), testVersion(2))
  ).map(published);
  return { dir, truth: dataset.truth, runs, replays };
};

/** The expected curated rows of one entity and day, as the generator wrote them. */
export const expectedRows = async (
  dir: string,
  entity: string,
  day: string,
): Promise<Record<string, string | number | null>[]> => {
  try {
    const text = await readFile(join(dir, "expected", "curated", entity, `dt=${day}.jsonl`), "utf8");
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
};

/** Decimal text -> hundredths. */
export const cents = (value: unknown): bigint => {
  const [whole = "0", fraction = ""] = String(value).replace("-", "").split(".");
  // The warehouse keeps 4 decimals ("12.3000"); the generated money is in cents, so the rest must be zeros.
  if (fraction.slice(2).replace(/0/g, "") !== "") throw new Error(`not a whole number of cents: ${value}`);
  const amount = BigInt(whole) * 100n + BigInt(`${fraction}00`.slice(0, 2));
  return String(value).startsWith("-") ? -amount : amount;
};

export const money = (value: bigint): string => {
  const abs = value < 0n ? -value : value;
  return `${value < 0n ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
};
