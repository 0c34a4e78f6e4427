import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertedOutcome, CASES, type CorpusCase } from "./cases.js";
import { type CorpusRun, differences, runCorpus } from "./run.js";

/**
 * The bad-input corpus (docs/semantics.md, "Bad-input corpus"), end to end on the real engines: every
 * case's key goes through the trigger's classification, every routed file through ONE run of the real
 * Spark job (with a few known-good files), and each case must end as its table row says: its expected
 * outcome, or for a known gap the current behaviour the table records.
 */
const PROJECT = process.cwd();
let dir: string;
let run: CorpusRun;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pipeline-corpus-"));
  run = await runCorpus(CASES, dir, PROJECT);
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const label = (corpusCase: CorpusCase): string =>
  `${corpusCase.category} / ${corpusCase.id}${corpusCase.gap ? " (gap)" : ""}`;

describe("the bad-input corpus", () => {
  it("has at least 60 cases with unique ids and keys", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => c.key)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [label(c), c] as const))("%s", (_, corpusCase) => {
    const observed = run.observations.get(corpusCase.id);
    expect(observed, "the case was observed").toBeDefined();
    if (!observed) return;
    expect(differences(assertedOutcome(corpusCase), observed)).toEqual([]);
  });

  it("loads the known-good files whatever else the run holds", () => {
    const good = CASES.filter((c) => c.good);
    expect(good.length).toBeGreaterThan(0);
    for (const corpusCase of good) {
      expect(corpusCase.gap).toBeUndefined();
      const observed = run.observations.get(corpusCase.id);
      expect(observed?.kind, corpusCase.id).toBe("loaded");
      expect(observed?.curated, corpusCase.id).toBe(
        corpusCase.expected.kind === "loaded" ? corpusCase.expected.curated : -1,
      );
    }
  });

  it("keeps conservation for the run and for every file it read", () => {
    expect(run.metrics.conservation).toEqual({ holds: true, failures: [] });
    for (const [name, source] of Object.entries(run.metrics.sources)) {
      expect(source.conservation.holds, name).toBe(true);
      for (const file of source.files) expect(file.conservation_holds, file.uri).toBe(true);
    }
  });
});
