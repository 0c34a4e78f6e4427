import { utimes } from "node:fs/promises";
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "../../functions/scheduled-run/handler.js";
import { SfnWorkflow } from "../../src/adapters/aws/sfn-workflow.js";
import type { LocalObjectStore } from "../../src/adapters/local/local-object-store.js";
import type { App } from "../../src/app/app.js";
import { startScheduledRun } from "../../src/core/scheduled-run.js";
import type { ExecutionSummary } from "../../src/ports/workflow.js";
import { lambdaContext, testApp } from "../support/app.js";
import { RecordingWorkflow } from "../support/fakes.js";
import { useTempDir } from "../support/temp.js";

const tempDir = useTempDir();

const LAST_RUN = "2026-12-05T02:00:00.000Z";
const NOW = new Date("2026-12-06T02:00:00.000Z");

/** A workflow whose most recent execution started at `lastStart` (none when undefined). */
class WorkflowWithHistory extends RecordingWorkflow {
  constructor(private readonly lastStart: string | undefined) {
    super();
  }
  override async list(): Promise<ExecutionSummary[]> {
    return this.lastStart
      ? [
          {
            name: "run-20170104-aaaaaaaaaaaaaaaa",
            executionArn: "arn",
            status: "SUCCEEDED",
            startedAt: this.lastStart,
          },
        ]
      : [];
  }
}

/** Puts a raw object written at `at` (its modification time is what the store reports as LastModified). */
const putRaw = async (store: LocalObjectStore, key: string, at: string, body = "order_id\no1\n") => {
  await store.put({ bucket: "raw", key }, body);
  const when = new Date(at);
  await utimes(store.path({ bucket: "raw", key }), when, when);
};

/** The handler as the tests build it: on the App each test assembles. */
const appOf = (app: App) => async () => app;

describe("scheduled-run handler (EventBridge Scheduler, daily)", () => {
  it("starts one run for the files written since the last run, skipping what no contract accepts", async () => {
    const workflow = new WorkflowWithHistory(LAST_RUN);
    const app = await testApp(await tempDir(), { workflow, now: () => NOW });
    const handler = build(appOf(app));
    await putRaw(app.store, "orders/dt=2017-01-04/orders-2017-01-04.csv", "2026-12-04T23:00:00.000Z");
    await putRaw(app.store, "orders/dt=2017-01-05/orders-2017-01-05.csv", "2026-12-05T09:30:00.000Z");
    await putRaw(app.store, "payments/dt=2017-01-05/payments-2017-01-05.csv", "2026-12-05T21:10:00.000Z");
    await putRaw(app.store, "marketing/dt=2017-01-05/campaigns.csv", "2026-12-05T10:00:00.000Z");

    const outcome = await handler(
      { schedule: "sales-pipeline-dev-daily" },
      lambdaContext("scheduled-run") as never,
    );

    expect(workflow.started).toHaveLength(1);
    const [run] = workflow.started;
    expect(outcome).toEqual({
      since: LAST_RUN,
      requested_at: NOW.toISOString(),
      files: 2,
      skipped: [{ key: "marketing/dt=2017-01-05/campaigns.csv", reason: "unknown_source" }],
      runs: [run?.name],
      split: null,
    });
    expect(run?.name).toMatch(/^replay-20170105-[0-9a-f]{16}$/);
    expect(run?.input).toMatchObject({
      run_id: run?.name,
      started_at: NOW.toISOString(),
      trigger: "schedule",
    });
    expect(
      run?.input.inputs.map((input) => [input.key, input.source, input.batch_date, input.version]),
    ).toEqual([
      ["orders/dt=2017-01-05/orders-2017-01-05.csv", "orders", "2017-01-05", "001796522400000:"],
      ["payments/dt=2017-01-05/payments-2017-01-05.csv", "payments", "2017-01-05", "001796522400000:"],
    ]);
  });

  it("starts nothing when no file arrived since the last run", async () => {
    const workflow = new WorkflowWithHistory(LAST_RUN);
    const app = await testApp(await tempDir(), { workflow, now: () => NOW });
    const handler = build(appOf(app));
    await putRaw(app.store, "orders/dt=2017-01-04/orders-2017-01-04.csv", "2026-12-04T23:00:00.000Z");
    const outcome = await handler({ schedule: "daily" }, lambdaContext("scheduled-run") as never);
    expect(outcome).toMatchObject({ since: LAST_RUN, files: 0, runs: [] });
    expect(workflow.started).toEqual([]);
  });

  it("takes every raw file when the stage has no run yet, split past the batch bounds", async () => {
    const workflow = new WorkflowWithHistory(undefined);
    const app = await testApp(await tempDir(), { workflow, now: () => NOW, tuning: { batchMaxFiles: 2 } });
    for (const day of ["01", "02", "03"]) {
      await putRaw(
        app.store,
        `orders/dt=2017-01-${day}/orders-2017-01-${day}.csv`,
        `2026-11-${day}T08:00:00.000Z`,
      );
    }
    const outcome = await startScheduledRun({ ...app, tuning: app.config.tuning });
    expect(outcome).toMatchObject({
      since: null,
      files: 3,
      split: "a run takes at most 2 files (BATCH_MAX_FILES)",
    });
    expect(workflow.started.map((run) => run.input.inputs.map((input) => input.key))).toEqual([
      ["orders/dt=2017-01-01/orders-2017-01-01.csv", "orders/dt=2017-01-02/orders-2017-01-02.csv"],
      ["orders/dt=2017-01-03/orders-2017-01-03.csv"],
    ]);
  });

  it("rejects an event that is not the schedule's input", async () => {
    const handler = build(appOf(await testApp(await tempDir())));
    await expect(handler({ nope: 1 } as never, lambdaContext("scheduled-run") as never)).rejects.toThrow();
  });
});

describe("scheduled run on Step Functions (recorded request shapes)", () => {
  const sfn = mockClient(SFNClient);
  afterAll(() => sfn.restore());
  const arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:sales-pipeline-dev-pipeline";

  it("asks for the most recent execution, then starts the run named by its files", async () => {
    sfn.reset();
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          name: "run-20170104-aaaaaaaaaaaaaaaa",
          executionArn: `${arn.replace(":stateMachine:", ":execution:")}:run-20170104-aaaaaaaaaaaaaaaa`,
          stateMachineArn: arn,
          status: "SUCCEEDED",
          startDate: new Date(LAST_RUN),
        },
      ],
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn:x", startDate: NOW });
    const app = await testApp(await tempDir(), { now: () => NOW });
    await putRaw(app.store, "orders/dt=2017-01-05/orders-2017-01-05.csv", "2026-12-05T09:30:00.000Z");
    const outcome = await startScheduledRun({
      ...app,
      workflow: new SfnWorkflow(new SFNClient({ region: "eu-west-1" }), arn),
      tuning: app.config.tuning,
    });
    expect(sfn.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn: arn, maxResults: 1 },
    ]);
    const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(1);
    expect(starts[0]?.name).toBe(outcome.runs[0]);
    expect(JSON.parse(String(starts[0]?.input))).toMatchObject({
      run_id: outcome.runs[0],
      trigger: "schedule",
      inputs: [{ key: "orders/dt=2017-01-05/orders-2017-01-05.csv", source: "orders" }],
    });
  });
});
