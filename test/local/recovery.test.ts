import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutionStore } from "../../src/adapters/local/local-workflow.js";
import { generateToDirectory } from "../../src/generator/index.js";
import { PROCESS_DIED, processExists, recoverStage } from "../../src/local/recovery.js";
import { useTempDir } from "../support/temp.js";
import { curatedRuns, publish } from "../warehouse/support/curated-runs.js";
import { LOCAL_SETTINGS, openWarehouse } from "../warehouse/support/warehouse.js";

const tempDir = useTempDir();
const PROJECT = process.cwd();

/** A pid that belonged to a process which has ended. */
const deadPid = async (): Promise<number> => {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((done) => child.once("exit", done));
  return child.pid as number;
};

/** A process that sleeps, with `tag` on its command line. */
const sleeper = (tag: string): ChildProcess =>
  spawn(process.execPath, ["-e", "setTimeout(() => {}, 120000)", tag], { stdio: "ignore" });

/** The execution record a local workflow writes when it starts a run and enters a state. */
const runningRecord = (name: string, pid: number, state: string) => ({
  name,
  executionArn: `arn:aws:states:local:000000000000:execution:pipeline-test:${name}`,
  status: "RUNNING",
  startedAt: "2026-12-06T10:00:00.000Z",
  input: { run_id: name, started_at: "2026-12-06T10:00:00.000Z", trigger: "s3", inputs: [] },
  events: [
    { kind: "entered", at: "2026-12-06T10:00:00.100Z", state: "PlanBatch", type: "Task" },
    { kind: "exited", at: "2026-12-06T10:00:00.200Z", state: "PlanBatch" },
    { kind: "entered", at: "2026-12-06T10:00:00.300Z", state, type: "Task" },
  ],
  owner: { pid },
});

const parquetRows = async (file: string): Promise<number> => {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${file}')`);
    return Number(reader.getRowObjectsJson()[0]?.n);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
};

describe("recovering a local stage after its process died", () => {
  it("fails the runs a dead process left RUNNING, loads and clears their staging rows, stops their Spark, and leaves a live process's runs alone", async () => {
    const dir = await tempDir();
    await generateToDirectory({ orders: 40, days: 2, seed: 5, expectedRows: true }, join(dir, "gen"));
    const [deadDay, liveDay] = await curatedRuns(join(dir, "gen"), join(dir, "parquet"), (day) =>
      day.endsWith("02") ? "run-20170102-dead" : "run-20170103-live",
    );
    if (!deadDay || !liveDay) throw new Error("expected two days");
    const loadDir = join(dir, "load");
    await publish(deadDay, loadDir);
    await publish(liveDay, loadDir);
    const expected: Record<string, number> = {};
    for (const [entity, file] of deadDay.files) expected[entity] = await parquetRows(file);

    const warehouse = await openWarehouse(loadDir);
    const live = sleeper("live-owner");
    const orphan = sleeper("pipeline_spark.warm");
    const stranger = sleeper("not-ours");
    const ofLiveParent = sleeper("pipeline_spark-of-a-live-parent");
    try {
      await warehouse.migrate(LOCAL_SETTINGS);
      // Both runs published their files; neither run's files were loaded yet.
      const executions = join(dir, "executions");
      await mkdir(executions, { recursive: true });
      const gone = await deadPid();
      await writeFile(
        join(executions, "run-20170102-dead.json"),
        JSON.stringify(runningRecord("run-20170102-dead", gone, "Merge")),
      );
      await writeFile(
        join(executions, "run-20170103-live.json"),
        JSON.stringify(runningRecord("run-20170103-live", live.pid as number, "Transform")),
      );
      const sparkProcesses = join(dir, "spark-processes");
      await mkdir(sparkProcesses, { recursive: true });
      for (const [child, parent, runId] of [
        [orphan, gone, "run-20170102-dead"],
        [stranger, gone, null],
        [ofLiveParent, live.pid, "run-20170103-live"],
      ] as const) {
        await writeFile(
          join(sparkProcesses, `${child.pid}.json`),
          JSON.stringify({
            pid: child.pid,
            parent,
            kind: "cold",
            run_id: runId,
            started_at: "2026-12-06T10:00:00.000Z",
          }),
        );
      }

      const store = new LocalExecutionStore(executions);
      const report = await recoverStage({
        executions: store,
        warehouse,
        sparkProcesses,
        now: () => new Date("2026-12-06T11:00:00.000Z"),
      });

      expect(report.runs.map((run) => [run.runId, run.state, run.ownerPid, run.error])).toEqual([
        ["run-20170102-dead", "Merge", gone, PROCESS_DIED],
      ]);
      expect(report.runs[0]?.stagingRowsCleared).toEqual(expected);
      expect(await store.describe("run-20170102-dead")).toEqual({
        name: "run-20170102-dead",
        executionArn: expect.stringContaining(":execution:"),
        status: "FAILED",
        startedAt: "2026-12-06T10:00:00.000Z",
        stoppedAt: "2026-12-06T11:00:00.000Z",
        error: PROCESS_DIED,
        cause: expect.stringMatching(
          new RegExp(
            `^its process \\(pid ${gone}\\) ended while the run was in Merge; .*pipeline replay --run run-20170102-dead$`,
          ),
        ),
      });
      expect((await store.history("run-20170102-dead")).map((visit) => [visit.name, visit.outcome])).toEqual([
        ["PlanBatch", "succeeded"],
        ["Merge", "failed"],
      ]);
      expect((await store.describe("run-20170103-live"))?.status).toBe("RUNNING");

      // Staging holds the live run's rows only; the dead run's files count as loaded, so they never come back.
      const staged = await warehouse.query(
        "SELECT _run_id, count(*) AS n FROM staging.orders GROUP BY _run_id ORDER BY _run_id",
      );
      expect(staged.map((row) => row._run_id)).toEqual(["run-20170103-live"]);
      await warehouse.ingestNewFiles();
      expect(
        await warehouse.query("SELECT count(*) AS n FROM staging.orders WHERE _run_id = 'run-20170102-dead'"),
      ).toEqual([{ n: 0 }]);

      // Spark started by the dead process is stopped; anything else is left alone.
      expect(report.stoppedSpark).toEqual([{ pid: orphan.pid, runId: "run-20170102-dead" }]);
      expect(processExists(orphan.pid as number)).toBe(false);
      expect(processExists(stranger.pid as number)).toBe(true);
      expect(processExists(ofLiveParent.pid as number)).toBe(true);
      expect((await readdir(sparkProcesses)).sort()).toHaveLength(1);

      // Opening the stage again finds nothing more to do.
      const again = await recoverStage({
        executions: store,
        warehouse,
        sparkProcesses,
        now: () => new Date(),
      });
      expect(again).toEqual({ runs: [], stoppedSpark: [], uncheckedSpark: [] });
    } finally {
      for (const child of [live, orphan, stranger, ofLiveParent]) child.kill("SIGKILL");
      await warehouse.close();
    }
  });
});

describe("the CLI killed in the middle of a run", () => {
  const stage = `t-crash-${randomBytes(3).toString("hex")}`;
  const root = join(PROJECT, ".local", stage);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const cli = (args: readonly string[]) =>
    spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args, "--stage", stage], {
      cwd: PROJECT,
      stdio: ["ignore", "pipe", "pipe"],
    });
  const finished = (child: ChildProcess): Promise<{ code: number | null; stdout: string }> =>
    new Promise((done) => {
      let stdout = "";
      child.stdout?.on("data", (chunk) => {
        stdout += chunk;
      });
      // Errors read with the output, in order enough for the assertions.
      child.stderr?.on("data", (chunk) => {
        stdout += chunk;
      });
      child.on("close", (code) => done({ code, stdout }));
    });

  it("is recovered by the next command, which says what it did, and replay runs its files again", async () => {
    const dir = await tempDir();
    const folder = join(dir, "raw", "orders", "dt=2017-01-05");
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, "orders-2017-01-05.csv"),
      "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n" +
        "o1,c1,delivered,2017-01-05 10:00:00,,,,2017-01-09 00:00:00\n",
    );
    const drop = cli(["drop", join(dir, "raw", "orders"), "--spark", "cold"]);
    const dropped = finished(drop);
    // Wait until the run is in Transform with its Spark process started, then kill the CLI outright.
    let runId = "";
    let sparkPid = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
      const names = await readdir(join(root, "executions")).catch(() => [] as string[]);
      const processes = await readdir(join(root, "spark-processes")).catch(() => [] as string[]);
      const name = names.find((file) => file.endsWith(".json"));
      if (!name || processes.length === 0) continue;
      let record: { name?: string; events?: { state?: string }[] };
      try {
        record = JSON.parse(await readFile(join(root, "executions", name), "utf8"));
      } catch {
        continue; // the record is being created
      }
      if (record.events?.some((event) => event.state === "Transform")) {
        runId = record.name ?? "";
        sparkPid = Number(processes[0]?.replace(".json", ""));
        break;
      }
    }
    expect(runId).toMatch(/^run-20170105-/);
    drop.kill("SIGKILL");
    await dropped;
    expect(processExists(sparkPid)).toBe(true); // the orphan goes on: nobody stopped it yet
    // Reading the stage changes nothing, but says what is wrong with the run.
    const listed = await finished(cli(["runs"]));
    expect(listed.stdout).toMatch(
      new RegExp(
        `${runId}\\s+RUNNING .*its process is gone: the next drop/replay/watch on ${stage} fails it and cleans up`,
      ),
    );

    // The next command to open the stage recovers it and says so; replay then runs the files again.
    const replay = await finished(cli(["replay", "--run", runId]));
    expect(replay.stdout).toContain(`stopped Spark process ${sparkPid} (run ${runId})`);
    expect(replay.stdout).toContain("recovered 1 run left RUNNING by a process that is gone:");
    expect(replay.stdout).toMatch(
      new RegExp(
        `✗ ${runId} was in Transform \\(pid \\d+\\): marked FAILED \\(Local.ProcessDied\\); 0 staging rows cleared`,
      ),
    );
    expect(replay.stdout).toContain(`run its files again: pipeline replay --run ${runId} --stage ${stage}`);
    expect(processExists(sparkPid)).toBe(false);
    const alerts = (await readFile(join(root, "alerts.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(alerts.map((alert) => [alert.kind, alert.runId])).toEqual([["run_failed", runId]]);
    expect(replay.stdout).toMatch(/✓ replay-20170105-[0-9a-f]{16} succeeded/);
    expect(replay.code).toBe(0);
    const runs = await finished(cli(["runs"]));
    expect(runs.stdout).toMatch(new RegExp(`${runId}\\s+FAILED`));
  }, 300_000);
});
