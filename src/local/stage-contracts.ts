import { readFile, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import { BUNDLE_KEY } from "../core/layout.js";
import { ValidationError } from "../errors.js";

/**
 * Which contracts folder a local stage deploys. A stage remembers the folder it was created with (`stage.json` in
 * its folder), so every later command deploys the same contracts without naming them again: `pipeline drop
 * exports/2010-12-01.csv --source online_retail --stage try-retail --contracts examples/contracts` once, then
 * `pipeline drop … --stage try-retail`, `pipeline replay … --stage try-retail`. A command naming another folder is
 * refused unless it says to switch (`--switch-contracts`): the stage's raw files, runs and warehouse were made
 * under the old contracts, and a replay would route them by the new ones.
 */

/** The file in a stage's folder that records its contracts folder. */
export const STAGE_FILE = "stage.json";

const stageFileSchema = z.object({
  /** Relative to the project root when inside it, else absolute. */
  contracts_dir: z.string().min(1),
});

export interface StageContractsChoice {
  /** The folder a command names (`--contracts <dir>`); undefined: the one the stage remembers. */
  readonly requested?: string;
  /** Deploy `requested` to a stage that was created with another folder (`--switch-contracts`). */
  readonly switchContracts?: boolean;
}

const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
};

/** A folder as the user reads it: relative to the project root when inside it. */
const shown = (projectRoot: string, dir: string): string => {
  const inside = relative(projectRoot, dir);
  return inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside : dir;
};

/**
 * The contracts folder a stage recorded (absolute), or undefined for a stage that is new. A stage created before
 * stages recorded their folder, which holds a deployed bundle, was created by a command that could only deploy
 * `<projectRoot>/contracts`.
 */
export const recordedContractsDir = async (
  root: string,
  projectRoot: string,
): Promise<string | undefined> => {
  const file = join(root, STAGE_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    const deployed = join(root, "buckets", "artifacts", ...BUNDLE_KEY.split("/"));
    return (await exists(deployed)) ? join(projectRoot, "contracts") : undefined;
  }
  const parsed = stageFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new ValidationError(`${file}: contracts_dir: ${parsed.error.issues[0]?.message}`);
  return resolve(projectRoot, parsed.data.contracts_dir);
};

/**
 * The contracts folder to deploy to the stage at `root`: the one named (`requested`, resolved from the working
 * directory) when the stage is new, remembers that same folder, or is told to switch; the remembered one when none
 * is named; `<projectRoot>/contracts` for a new stage when none is named. A named folder that differs from the one
 * the stage remembers is refused with a `ValidationError` saying what to do.
 *
 * @example
 *   await stageContractsDir(".local/try-retail", root, { requested: "examples/contracts" }); // "/…/examples/contracts"
 *   await stageContractsDir(".local/try-retail", root, {});                                 // the same, remembered
 */
export const stageContractsDir = async (
  root: string,
  projectRoot: string,
  choice: StageContractsChoice,
): Promise<string> => {
  if (choice.switchContracts && choice.requested === undefined) {
    throw new ValidationError(
      "--switch-contracts needs --contracts <dir>: the folder to switch the stage to",
    );
  }
  const recorded = await recordedContractsDir(root, projectRoot);
  if (choice.requested === undefined) return recorded ?? join(projectRoot, "contracts");
  const requested = resolve(choice.requested);
  if (recorded === undefined || recorded === requested || choice.switchContracts) return requested;
  throw new ValidationError(
    `the local stage ${shown(projectRoot, root)} deploys the contracts of ${shown(projectRoot, recorded)} (recorded in its ` +
      `${STAGE_FILE} when it was created), not ${shown(projectRoot, requested)}: leave --contracts out to use ` +
      `them, choose another --stage for these contracts, or pass --switch-contracts to deploy ` +
      `${shown(projectRoot, requested)} to this stage from now on (its raw files, runs and warehouse stay; a ` +
      "replay routes them by the new contracts)",
  );
};

/** Records the contracts folder a stage deploys (after it deployed them). */
export const recordStageContracts = async (root: string, projectRoot: string, dir: string): Promise<void> => {
  const file = join(root, STAGE_FILE);
  const document = { contracts_dir: shown(projectRoot, resolve(dir)) };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  try {
    if ((await readFile(file, "utf8")) === text) return;
  } catch {
    // not recorded yet
  }
  await writeFile(file, text);
};
