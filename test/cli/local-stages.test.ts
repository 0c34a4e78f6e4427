import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  clearOwnedFolder,
  filesUnder,
  markDemoStage,
  nonDemoFiles,
  nonGeneratedFiles,
} from "../../src/local/fresh-stage.js";
import { useTempDir } from "../support/temp.js";

/**
 * The `pipeline` CLI as a user runs it (a child process, its output and exit code) on local stages of
 * their own under `.local/<name>/`, with the real Spark job and DuckDB.
 */
const PROJECT = process.cwd();
const tempDir = useTempDir();
const made: string[] = [];
const stageName = (what: string): string => {
  const name = `t-${what}-${randomBytes(3).toString("hex")}`;
  made.push(join(PROJECT, ".local", name));
  return name;
};
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

const pipeline = (
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: PROJECT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });

const HEADER =
  "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date";

/** Three days of a small orders export, laid out as raw/<source>/dt=<date>/<file>. */
const ordersFolder = async (): Promise<string> => {
  const dir = await tempDir();
  for (const day of [1, 2, 3]) {
    const date = `2017-01-0${day}`;
    const folder = join(dir, "raw", "orders", `dt=${date}`);
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, `orders-${date}.csv`),
      `${HEADER}\no${day},c${day},delivered,${date} 10:00:00,,,,${date} 23:00:00\n`,
    );
  }
  return join(dir, "raw", "orders");
};

describe("local stages by name", () => {
  it("refuses a name that is not a stage name, and a read on a stage that does not exist", async () => {
    const bad = await pipeline(["runs", "--stage", "My_Stage"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/a stage is a lowercase letter/);
    const missing = await pipeline(["query", "select 1", "--stage", "t-never-made"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no local stage named t-never-made/);
    expect(await filesUnder(join(PROJECT, ".local", "t-never-made"))).toEqual([]);
  }, 60_000);

  it("drops into .local/<name>/, says how many runs a drop became and why, and says what a re-drop did", async () => {
    const stage = stageName("drop");
    const orders = await ordersFolder();
    const first = await pipeline(["drop", orders, "--stage", stage, "--max-files", "2", "--spark", "warm"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      "3 files -> 2 runs: a run takes at most 2 files (BATCH_MAX_FILES); to make it one run: --max-files <n> (or BATCH_MAX_FILES)",
    );
    const root = join(PROJECT, ".local", stage);
    expect(await filesUnder(join(root, "buckets", "raw"))).toEqual([
      "orders/dt=2017-01-01/orders-2017-01-01.csv",
      "orders/dt=2017-01-02/orders-2017-01-02.csv",
      "orders/dt=2017-01-03/orders-2017-01-03.csv",
    ]);
    const executions = (await filesUnder(join(root, "executions"))).filter((f) => f.endsWith(".json"));
    expect(executions).toHaveLength(2);
    const succeeded = first.stdout.match(/✓ (run-\S+) succeeded/g) ?? [];
    expect(succeeded).toHaveLength(2);

    // The same files again: every PUT is a new version of its key (latest wins), so they run again, as new runs.
    const again = await pipeline(["drop", orders, "--stage", stage, "--max-files", "2"]);
    expect(again.code).toBe(0);
    const rerun = (again.stdout.match(/✓ (run-\S+) succeeded/g) ?? []).map((line) => line.split(" ")[1]);
    expect(rerun).toHaveLength(2);
    for (const runId of succeeded.map((line) => line.split(" ")[1])) expect(rerun).not.toContain(runId);
    expect(again.stdout).not.toContain("already ran these exact files");

    // The environment sets the bound too; the option wins over it. --date files them under another day.
    const env = await pipeline(
      ["drop", orders, "--stage", stage, "--date", "2017-01-09", "--max-files", "3"],
      {
        BATCH_MAX_FILES: "1",
      },
    );
    expect(env.code).toBe(0);
    expect(env.stdout).toContain("3 files -> 1 run\n");
    expect(env.stdout).toContain("+ orders/dt=2017-01-09/orders-2017-01-03.csv");
  }, 300_000);

  it("refuses to file a drop under today's date: the batch date comes from the path, the contract or --date", async () => {
    const stage = stageName("nodate");
    const dir = await tempDir();
    await writeFile(join(dir, "export.csv"), `${HEADER}\n`);
    const run = await pipeline(["drop", join(dir, "export.csv"), "--source", "orders", "--stage", stage]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot tell the batch date of .*export\.csv: .*pass --date YYYY-MM-DD/);
    await expect(stat(join(PROJECT, ".local", stage))).rejects.toThrow();
  }, 60_000);
});

describe("a source dated by a column, and a stage's own contracts folder (--contracts)", () => {
  const RETAIL_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

  /** examples/contracts/online_retail.yaml, dated by its InvoiceDate column, in a folder of its own. */
  const byColumnContracts = async (): Promise<string> => {
    const dir = await tempDir();
    const yaml = await readFile(join(PROJECT, "examples", "contracts", "online_retail.yaml"), "utf8");
    await writeFile(
      join(dir, "online_retail.yaml"),
      yaml.replace(/^batch_date: .*$/m, "batch_date: { from: column, column: InvoiceDate }"),
    );
    return dir;
  };

  it("drop reads the batch date from the column (the latest date), says what it ignored, and the stage remembers its contracts", async () => {
    const stage = stageName("column");
    const root = join(PROJECT, ".local", stage);
    const contracts = await byColumnContracts();
    const exports = await tempDir();
    const file = join(exports, "export.csv");
    // 24 lines of 1 December, 1 of 2 December, and 1 the job will quarantine (under the 5% reject rate).
    const line = (n: number, at: string) =>
      `${536365 + n},85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,${at},2.55,17850,United Kingdom`;
    await writeFile(
      file,
      `${[
        RETAIL_HEADER,
        ...Array.from({ length: 24 }, (_, n) => line(n, `12/1/2010 ${8 + (n % 10)}:26`)),
        line(24, "12/2/2010 9:02"),
        line(25, "yesterday"),
      ].join("\n")}\n`,
    );
    const first = await pipeline([
      "drop",
      file,
      "--source",
      "online_retail",
      "--stage",
      stage,
      "--contracts",
      contracts,
    ]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const shown = relative(PROJECT, file).startsWith("..") ? file : relative(PROJECT, file);
    expect(first.stdout).toContain(
      `note: ${shown}: InvoiceDate spans 2 dates (2010-12-01 .. 2010-12-02); its batch date is the latest, 2010-12-02 (--date overrides)\n`,
    );
    expect(first.stdout).toContain(
      `note: ${shown}: 1 row of InvoiceDate ignored for the batch date: 1 not a timestamp in the format M/d/yyyy H:mm (e.g. "yesterday")\n`,
    );
    expect(first.stdout).toContain("+ online_retail/dt=2010-12-02/export.csv");
    expect(first.stdout).toContain("1 file -> 1 run\n");
    expect(first.stdout).toMatch(/✓ run-20101202-\S+ succeeded/);
    expect(JSON.parse(await readFile(join(root, "stage.json"), "utf8"))).toEqual({
      contracts_dir: contracts,
    });

    // The stage remembers its contracts: a file where no value gives a date is refused, and nothing is dropped.
    await writeFile(file, `${RETAIL_HEADER}\n536368,22752,BOXES,2,,7.65,13047,United Kingdom\n`);
    const refused = await pipeline(["drop", file, "--source", "online_retail", "--stage", stage]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `error: cannot tell the batch date of ${shown}: no value of its column InvoiceDate gives a date (1 row: 1 empty); it was not dropped. Fix the file, or pass --date YYYY-MM-DD`,
    );
    expect(await filesUnder(join(root, "buckets", "raw"))).toEqual([
      "online_retail/dt=2010-12-02/export.csv",
    ]);

    // Another contracts folder is refused unless the stage is switched to it; nothing is dropped.
    const other = await pipeline([
      "drop",
      file,
      "--source",
      "online_retail",
      "--stage",
      stage,
      "--contracts",
      "contracts",
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      `error: the local stage .local/${stage} deploys the contracts of ${contracts} (recorded in its stage.json when it was created), not contracts: leave --contracts out to use them`,
    );
    const switchAlone = await pipeline([
      "drop",
      file,
      "--source",
      "online_retail",
      "--stage",
      stage,
      "--switch-contracts",
    ]);
    expect(switchAlone.stderr).toContain("--switch-contracts needs --contracts <dir>");
    const cloud = await pipeline(["drop", file, "--stage", "dev", "--contracts", contracts]);
    expect(cloud.stderr).toContain("--contracts and --switch-contracts apply to local stages; dev routes by");
    expect(await filesUnder(join(root, "buckets", "raw"))).toEqual([
      "online_retail/dt=2010-12-02/export.csv",
    ]);
  }, 300_000);

  it("contracts validate takes --contracts", async () => {
    const run = await pipeline(["contracts", "validate", "--contracts", "examples/contracts", "--no-spark"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("contracts: 2 valid (feed expressions not checked: --no-spark)\n");
  }, 60_000);
});

describe("demo in its own stage", () => {
  it("refuses, without --force, a stage holding files the demo did not put there, and deletes nothing", async () => {
    const stage = stageName("demo");
    const mine = join(PROJECT, ".local", stage, "buckets", "raw", "orders", "dt=2017-01-05", "mine.csv");
    await mkdir(join(mine, ".."), { recursive: true });
    await writeFile(mine, `${HEADER}\n`);
    const run = await pipeline(["demo", "--stage", stage]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `the local stage ${stage} (${join(PROJECT, ".local", stage)}) holds 1 file(s) this command did not write (buckets/raw/orders/dt=2017-01-05/mine.csv); nothing was deleted. Pass --force`,
    );
    expect(await readFile(mine, "utf8")).toBe(`${HEADER}\n`);
    const cloud = await pipeline(["demo", "--stage", "prod"]);
    expect(cloud.code).toBe(1);
    expect(cloud.stderr).toMatch(/demo runs local stages only/);
  }, 60_000);

  it("replaces without asking only what an earlier demo put there", async () => {
    const root = await tempDir();
    const raw = join(root, "buckets", "raw");
    await mkdir(join(raw, "orders", "dt=2017-01-30"), { recursive: true });
    await writeFile(join(raw, "orders", "dt=2017-01-30", "orders-2017-01-30.csv"), "x");
    await mkdir(join(root, "runs"), { recursive: true });
    await writeFile(join(root, "runs", "run-1.json"), "{}");
    // No marker: not the demo's stage, everything counts.
    expect(await nonDemoFiles(root)).toEqual([
      "buckets/raw/orders/dt=2017-01-30/orders-2017-01-30.csv",
      "runs/run-1.json",
    ]);
    await markDemoStage(root, ["orders/dt=2017-01-30/orders-2017-01-30.csv"]);
    expect(await nonDemoFiles(root)).toEqual([]);
    await writeFile(join(raw, "orders", "dt=2017-01-30", "mine.csv"), "y");
    expect(await nonDemoFiles(root)).toEqual(["buckets/raw/orders/dt=2017-01-30/mine.csv"]);

    const lines: string[] = [];
    const out = (text: string) => lines.push(text);
    const unowned = await nonDemoFiles(root);
    await expect(clearOwnedFolder(root, "the stage", unowned, { force: false, out })).rejects.toThrow(
      /holds 1 file\(s\) this command did not write .*nothing was deleted/,
    );
    const asked: string[] = [];
    const no = async (question: string) => {
      asked.push(question);
      return false;
    };
    await expect(
      clearOwnedFolder(root, "the stage", unowned, { force: false, confirm: no, out }),
    ).rejects.toThrow();
    expect(asked[0]).toMatch(/Delete them\? \[y\/N\] $/);
    expect(await filesUnder(join(root, "buckets", "raw"))).toHaveLength(2);
    await clearOwnedFolder(root, "the stage", unowned, { force: false, confirm: async () => true, out });
    expect(await filesUnder(root)).toEqual([]);
    expect(lines).toEqual([`deleting ${root} (4 files)\n`]);
  });

  it("generate replaces only its own earlier output without --force", async () => {
    const out = await tempDir();
    expect(await nonGeneratedFiles(out)).toEqual([]);
    await mkdir(join(out, "raw", "orders", "dt=2017-01-02"), { recursive: true });
    await writeFile(join(out, "raw", "orders", "dt=2017-01-02", "a.csv"), "x");
    expect(await nonGeneratedFiles(out)).toEqual(["raw/orders/dt=2017-01-02/a.csv"]);
    await mkdir(join(out, "expected"), { recursive: true });
    await writeFile(
      join(out, "expected", "truth.json"),
      JSON.stringify({ files: { "orders/dt=2017-01-02/a.csv": {} } }),
    );
    expect(await nonGeneratedFiles(out)).toEqual([]);
  });
});
