import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { ValidationError } from "../errors.js";

/**
 * Deleting local data safely. A command that needs an empty folder (the demo's stage, the generator's
 * output) deletes what is there only when it wrote all of it itself (it left a list of what it wrote),
 * or with the user's consent: `--force`, or a yes on a terminal. Anything else is refused, naming what
 * would be lost.
 */

/** Files under a folder, as `/`-separated paths relative to it; [] when it does not exist. */
export const filesUnder = async (dir: string): Promise<string[]> => {
  const found: string[] = [];
  const walk = async (at: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else found.push(relative(dir, full).split(sep).join("/"));
    }
  };
  await walk(dir);
  return found.sort();
};

/** Asks the user a yes/no question; undefined when nobody can answer (not a terminal). */
export type Confirm = (question: string) => Promise<boolean>;

export interface ClearOptions {
  /** Delete without asking. */
  readonly force: boolean;
  readonly confirm?: Confirm;
  readonly out: (text: string) => void;
}

/**
 * Decides whether a command may delete `folder`'s files: yes when it holds nothing the command did not
 * write itself (`unowned` is empty), or with `--force`, or with a yes on a terminal; otherwise it throws
 * a `ValidationError` naming what would be lost, and nothing is deleted. `what` names the folder for
 * the user ("the local stage demo").
 *
 * @example
 *   await consentToDelete(".local/demo", "the local stage demo", await nonDemoFiles(".local/demo"), { force, out });
 */
export const consentToDelete = async (
  folder: string,
  what: string,
  unowned: readonly string[],
  options: ClearOptions,
): Promise<void> => {
  if (unowned.length === 0 || options.force) return;
  const sample = unowned.slice(0, 3).join(", ");
  const summary = `${what} (${folder}) holds ${unowned.length} file(s) this command did not write (${sample}${unowned.length > 3 ? ", …" : ""})`;
  const agreed = options.confirm ? await options.confirm(`${summary}. Delete them? [y/N] `) : false;
  if (!agreed) {
    throw new ValidationError(
      `${summary}; nothing was deleted. Pass --force to delete them, or choose another --stage / --out`,
    );
  }
};

/**
 * Empties `folder` for a command that is about to fill it, once `consentToDelete` agrees.
 *
 * @example
 *   await clearOwnedFolder(".local/demo", "the local stage demo", await nonDemoFiles(".local/demo"), { force, out });
 */
export const clearOwnedFolder = async (
  folder: string,
  what: string,
  unowned: readonly string[],
  options: ClearOptions,
): Promise<void> => {
  const all = await filesUnder(folder);
  if (all.length === 0) return;
  await consentToDelete(folder, what, unowned, options);
  options.out(
    unowned.length > 0
      ? `deleting ${folder} (${all.length} files)\n`
      : `replacing the demo's previous output in ${folder}\n`,
  );
  await rm(folder, { recursive: true, force: true });
};

/** The file a demo stage keeps of the raw keys the demo put into it. */
export const DEMO_MARKER = "demo-stage.json";

/**
 * The files of a local stage the demo did not create: every raw object the demo's marker does not list.
 * Everything else in a stage (runs, warehouse, curated output, logs) derives from its raw objects.
 * A stage without the marker is not the demo's: all its files count.
 */
export const nonDemoFiles = async (root: string): Promise<string[]> => {
  const all = await filesUnder(root);
  let keys: Set<string>;
  try {
    const marker = JSON.parse(await readFile(join(root, DEMO_MARKER), "utf8")) as { raw_keys?: unknown };
    if (!Array.isArray(marker.raw_keys)) return all;
    keys = new Set(marker.raw_keys.map(String));
  } catch {
    return all;
  }
  const raw = await filesUnder(join(root, "buckets", "raw"));
  return raw.filter((key) => !keys.has(key)).map((key) => `buckets/raw/${key}`);
};

/** Records the raw keys the demo puts into its stage (before it puts them, so a crash leaves it too). */
export const markDemoStage = async (root: string, rawKeys: readonly string[]): Promise<void> => {
  await writeFile(
    join(root, DEMO_MARKER),
    `${JSON.stringify({ created_by: "pipeline demo", raw_keys: [...rawKeys].sort() }, null, 2)}\n`,
  );
};

/**
 * The files of a generator output folder (`raw/`, `expected/`) that the generator did not write: every
 * file under `raw/` that `expected/truth.json` does not list, and everything when there is no truth.
 */
export const nonGeneratedFiles = async (outDir: string): Promise<string[]> => {
  const raw = await filesUnder(join(outDir, "raw"));
  const expected = await filesUnder(join(outDir, "expected"));
  let keys: Set<string>;
  try {
    const truth = JSON.parse(await readFile(join(outDir, "expected", "truth.json"), "utf8")) as {
      files?: Record<string, unknown>;
    };
    keys = new Set(Object.keys(truth.files ?? {}));
  } catch {
    return [...raw.map((file) => `raw/${file}`), ...expected.map((file) => `expected/${file}`)];
  }
  return raw.filter((key) => !keys.has(key)).map((key) => `raw/${key}`);
};
