import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeRuns, predictRuns } from "../../src/cli/commands/drop.js";
import { BUNDLE_KEY } from "../../src/core/layout.js";
import { ValidationError } from "../../src/errors.js";
import {
  recordedContractsDir,
  recordStageContracts,
  STAGE_FILE,
  stageContractsDir,
} from "../../src/local/stage-contracts.js";
import { shippedBundle } from "../support/bundle.js";
import { useTempDir } from "../support/temp.js";

const tempDir = useTempDir();

describe("the contracts folder a local stage deploys", () => {
  it("is the one named for a new stage, contracts/ when none is, and then the one the stage remembers", async () => {
    const project = await tempDir();
    const root = join(project, ".local", "try-retail");
    const examples = join(project, "examples", "contracts");
    expect(await stageContractsDir(root, project, {})).toBe(join(project, "contracts"));
    expect(await stageContractsDir(root, project, { requested: examples })).toBe(examples);

    await mkdir(root, { recursive: true });
    await recordStageContracts(root, project, examples);
    // Kept relative to the project, so a moved checkout still finds it.
    expect(JSON.parse(await readFile(join(root, STAGE_FILE), "utf8"))).toEqual({
      contracts_dir: "examples/contracts",
    });
    expect(await stageContractsDir(root, project, {})).toBe(examples);
    expect(await stageContractsDir(root, project, { requested: examples })).toBe(examples);
  });

  it("refuses another folder unless told to switch, and a switch without a folder", async () => {
    const project = await tempDir();
    const root = join(project, ".local", "try-retail");
    await mkdir(root, { recursive: true });
    await recordStageContracts(root, project, join(project, "examples", "contracts"));
    const other = join(project, "contracts");
    await expect(stageContractsDir(root, project, { requested: other })).rejects.toThrow(ValidationError);
    await expect(stageContractsDir(root, project, { requested: other })).rejects.toThrow(
      "the local stage .local/try-retail deploys the contracts of examples/contracts (recorded in its stage.json " +
        "when it was created), not contracts: leave --contracts out to use them, choose another --stage for these " +
        "contracts, or pass --switch-contracts to deploy contracts to this stage from now on",
    );
    expect(await stageContractsDir(root, project, { requested: other, switchContracts: true })).toBe(other);
    await expect(stageContractsDir(root, project, { switchContracts: true })).rejects.toThrow(
      "--switch-contracts needs --contracts <dir>",
    );
  });

  it("takes a stage made before stages remembered their folder, holding a deployed bundle, as contracts/", async () => {
    const project = await tempDir();
    const root = join(project, ".local", "local");
    expect(await recordedContractsDir(root, project)).toBeUndefined();
    const bundle = join(root, "buckets", "artifacts", ...BUNDLE_KEY.split("/"));
    await mkdir(join(bundle, ".."), { recursive: true });
    await writeFile(bundle, "{}");
    expect(await recordedContractsDir(root, project)).toBe(join(project, "contracts"));
    await expect(
      stageContractsDir(root, project, { requested: join(project, "examples", "contracts") }),
    ).rejects.toThrow(/deploys the contracts of contracts/);
  });
});

describe("what a drop's files became", () => {
  const info = (key: string, n: number) => ({
    bucket: "raw" as const,
    key,
    size: 10,
    etag: `e${n}`,
    lastModified: "2026-11-21T19:46:58.120Z",
    version: `001795290418120:${String(n).padStart(32, "0")}`,
  });

  it("counts the runs, says why there are several, and counts the files no run takes", async () => {
    const bundle = await shippedBundle();
    const infos = [
      info("orders/dt=2017-01-01/a.csv", 1),
      info("orders/dt=2017-01-02/b.csv", 2),
      info("orders/dt=2017-01-03/c.csv", 3),
      info("orders/c.csv", 4),
    ];
    const tuning = { batchMaxFiles: 2, batchMaxBytes: 1e12, batchMaxInputChars: 1e6 };
    const predicted = predictRuns(infos, bundle, tuning);
    expect(predicted.runIds.map((id) => id.slice(0, 12))).toEqual(["run-20170102", "run-20170103"]);
    expect(describeRuns(infos.length, predicted)).toBe(
      "4 files -> 2 runs (1 file not routed: recorded under quarantine/_unrouted with the reason noted above): " +
        "a run takes at most 2 files (BATCH_MAX_FILES); to make it one run: --max-files <n> (or BATCH_MAX_FILES)",
    );
    expect(describeRuns(3, predictRuns(infos.slice(0, 3), bundle, { ...tuning, batchMaxFiles: 200 }))).toBe(
      "3 files -> 1 run",
    );
  });
});
