import { cp } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { LocalObjectStore } from "../../src/adapters/local/local-object-store.js";
import { LocalExecutionStore } from "../../src/adapters/local/local-workflow.js";
import { collectReport } from "../../src/cli/presentation/report-build.js";
import { lineChartSvg, renderReport } from "../../src/cli/presentation/report-html.js";
import { runPoint, runPoints } from "../../src/cli/presentation/run-series.js";
import type { QualityReport } from "../../src/core/quality.js";
import { NotFoundError } from "../../src/errors.js";
import { runRecordFixture } from "../support/run-record.js";
import { LOCAL_SETTINGS, openWarehouse, tempDir } from "../warehouse/support/warehouse.js";

/** Two runs of a real local demo stage: their execution histories, run records and quality reports. */
const FIXTURE = join(import.meta.dirname, "../events/local-stage");
const FIRST = "run-20170130-146844695018ccb9";
const SECOND = "run-20170131-8d1e1b4410e0a78e";

describe("pipeline report: the HTML report of any stage", () => {
  let warehouse: DuckDbWarehouse;
  let deps: Parameters<typeof collectReport>[0];
  const now = () => new Date("2026-12-06T22:00:00.000Z");

  beforeAll(async () => {
    const root = await tempDir("report");
    await cp(FIXTURE, root, { recursive: true });
    warehouse = await openWarehouse(join(root, "buckets", "load"));
    await warehouse.migrate(LOCAL_SETTINGS);
    deps = {
      workflow: new LocalExecutionStore(join(root, "executions")),
      store: new LocalObjectStore(root),
      warehouse,
    };
  });
  afterAll(() => warehouse.close());

  it("covers the most recent runs, oldest first, with the monitoring series of each", async () => {
    const input = await collectReport(deps, { last: 10 }, { title: "stage t", now });
    expect(input.runs.map((run) => run.summary.name)).toEqual([FIRST, SECOND]);
    expect(runPoints(input.runs)).toEqual([
      {
        runId: FIRST,
        startedAt: "2026-12-06T21:08:45.194Z",
        status: "SUCCEEDED",
        outcome: "succeeded",
        failed: false,
        seconds: expect.closeTo(10.0, 0),
        rows: { read: 584, curated: null, quarantined: 5, loaded: 570, merged: 570 },
        dqFailuresBySource: {},
        loadSeconds: expect.any(Number),
      },
      {
        runId: SECOND,
        startedAt: "2026-12-06T21:08:55.196Z",
        status: "SUCCEEDED",
        outcome: "succeeded",
        failed: false,
        seconds: expect.any(Number),
        rows: { read: 439, curated: null, quarantined: 3, loaded: 432, merged: 432 },
        dqFailuresBySource: {},
        loadSeconds: expect.any(Number),
      },
    ]);
    const html = renderReport(input);
    expect(html).toContain("<title>stage t</title>");
    expect(html).toContain("Generated 2026-12-06T22:00:00.000Z · 2 run(s)</p>");
    for (const heading of [
      "Monitoring: the dashboard's series over these runs",
      "Runs and failures",
      "Rows per step",
      "Data-quality rule failures by source",
      "Load latency and run duration",
      "Star schema",
    ]) {
      expect(html).toContain(`>${heading}<`);
    }
    expect(html).toContain('aria-label="read, curated, quarantined, loaded, merged per run"');
  });

  it("covers one run with --run, and names a run that does not exist", async () => {
    const input = await collectReport(deps, { runId: SECOND }, { title: "one", now });
    expect(input.runs.map((run) => run.summary.name)).toEqual([SECOND]);
    await expect(
      collectReport(deps, { runId: "run-20990101-ffffffffffffffff" }, { title: "x", now }),
    ).rejects.toThrow(new NotFoundError("no run named run-20990101-ffffffffffffffff"));
  });
});

describe("the monitoring series", () => {
  const summary = {
    name: "run-20170105-0123456789abcdef",
    executionArn: "arn",
    status: "SUCCEEDED" as const,
    startedAt: "2026-12-06T02:00:00.000Z",
    stoppedAt: "2026-12-06T02:01:30.000Z",
  };
  const visit = (name: string, from: number, to: number) => ({
    name,
    type: "Task",
    enteredAt: new Date(Date.parse(summary.startedAt) + from * 1000).toISOString(),
    exitedAt: new Date(Date.parse(summary.startedAt) + to * 1000).toISOString(),
    seconds: to - from,
    outcome: "succeeded" as const,
    retries: 0,
    errors: [],
  });
  const rule = (name: string, status: string) => ({
    name,
    rule: "not_null",
    severity: "error",
    status,
    observed: null,
    threshold: null,
    detail: "",
  });

  it("counts failed rules by source, load latency from the first AwaitLoad to the last, rows per step", () => {
    const report = {
      sources: {
        orders: { source: "orders", rules: [rule("a", "fail"), rule("b", "warn"), rule("c", "fail")] },
        payments: { source: "payments", rules: [rule("d", "pass")] },
      },
    } as unknown as QualityReport;
    const point = runPoint({
      summary,
      visits: [
        visit("Publish", 40, 42),
        visit("StartLoadPolling", 42, 42),
        visit("AwaitLoad", 42, 43),
        visit("WaitForLoad", 43, 48),
        visit("AwaitLoad", 48, 49.5),
        visit("LoadComplete", 49.5, 49.5),
        visit("Merge", 49.5, 60),
      ],
      record: runRecordFixture({
        run_id: summary.name,
        started_at: summary.startedAt,
        recorded_at: summary.stoppedAt,
        trigger: "schedule",
        files: 3,
        source_verdicts: { orders: "fail", payments: "pass" },
        rows: {
          read: 100,
          quarantined: 4,
          curated: 90,
          exact_duplicates: 3,
          superseded: 2,
          filtered: 1,
          quarantined_by_reason: {},
          curated_by_entity: { payments: 60 },
          by_source: {},
        },
        steps: {
          transform: null,
          quality: null,
          quarantine: null,
          publish: null,
          load: { rows_loaded: 60 },
          merge: { rows_by_entity: { payments: 60 } },
          verify: null,
        },
      }),
      report,
    });
    expect(point).toEqual({
      runId: summary.name,
      startedAt: summary.startedAt,
      status: "SUCCEEDED",
      outcome: "partial",
      failed: false,
      seconds: 90,
      rows: { read: 100, curated: 90, quarantined: 4, loaded: 60, merged: 60 },
      dqFailuresBySource: { orders: 2 },
      loadSeconds: 7.5,
    });
  });

  it("draws a broken line where a value is missing", () => {
    const svg = lineChartSvg(["a", "b", "c"], [{ name: "read", values: [10, null, 20] }]);
    expect(svg).toContain('<path d="M60.0,103.0 M410.0,16.0"');
  });
});
