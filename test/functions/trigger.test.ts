import { readFile } from "node:fs/promises";
import type { SqsEvent } from "@aws-lambda-powertools/parser/types";
import { describe, expect, it } from "vitest";
import { build } from "../../functions/trigger/handler.js";
import type { App } from "../../src/app/app.js";
import type { CompiledSource } from "../../src/contracts/index.js";
import { BUNDLE_KEY, unroutedKey } from "../../src/core/layout.js";
import { routeBatch, type S3ObjectEvent } from "../../src/core/trigger.js";
import { captureLogs, lambdaContext, testApp } from "../support/app.js";
import { shippedBundle } from "../support/bundle.js";
import { RecordingWorkflow } from "../support/fakes.js";
import { useTempDir } from "../support/temp.js";

const tempDir = useTempDir();
const logs = captureLogs();
const sample = async () =>
  JSON.parse(await readFile("test/events/sqs/s3-object-created-batch.json", "utf8")) as SqsEvent;

/** The handler as the tests build it: on the App each test assembles. */
const appOf = (app: App) => async () => app;

describe("trigger handler (SQS-wrapped S3 events)", () => {
  it("starts one execution for the whole window, records unroutable objects, reports only bad messages", async () => {
    const workflow = new RecordingWorkflow();
    const app = await testApp(await tempDir(), { workflow });
    const handler = build(appOf(app));
    const response = await handler(await sample(), lambdaContext("trigger") as never);

    // The malformed body is the only message SQS must redeliver.
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: "7c9d7b4e-0f0a-4b1e-9b55-1a2b3c4d5e06" }],
    });
    expect(workflow.started).toHaveLength(1);
    const [run] = workflow.started;
    expect(run?.name).toMatch(/^run-20170105-[0-9a-f]{16}$/);
    expect(run?.input).toEqual({
      schema_version: 1,
      run_id: run?.name,
      started_at: "2026-11-21T19:47:00.000Z",
      trigger: "s3",
      inputs: [
        {
          bucket: "acme-sales-dev-raw",
          key: "orders/dt=2017-01-05/orders-2017-01-05.csv",
          etag: "9b2cf535f27731c974343645a3985328",
          size: 48213,
          source: "orders",
          format: "csv",
          compression: null,
          batch_date: "2017-01-05",
          uploaded_at: "2026-11-21T19:46:58.120Z",
          version: "001795290418120:000000000000000062B4C0E2A1D2F1A8",
        },
        {
          bucket: "acme-sales-dev-raw",
          key: "payments/dt=2017-01-05/payments export 2017-01-05.jsonl",
          etag: "0d0c4a2c3f3e6a3b0f6d4f1a2c9e7b11",
          size: 20511,
          source: "payments",
          format: "jsonl",
          compression: null,
          batch_date: "2017-01-05",
          uploaded_at: "2026-11-21T19:46:58.120Z",
          version: "001795290418120:000000000000000062B4C0E2A1D2F1B2",
        },
      ],
    });
    // Unknown source and unsupported file: recorded and alerted, never dropped.
    expect(app.alerts.sent.map((a) => [a.kind, a.details?.key, a.details?.reason])).toEqual([
      ["unroutable_object", "marketing/dt=2017-01-05/campaigns.csv", "unknown_source"],
      ["unroutable_object", "orders/dt=2017-01-05/readme.pdf", "unsupported_format"],
    ]);
    const record = JSON.parse(
      new TextDecoder().decode(
        await app.store.get({
          bucket: "curated",
          key: unroutedKey("marketing/dt=2017-01-05/campaigns.csv", "5f4dcc3b5aa765d61d8327deb882cf99"),
        }),
      ),
    );
    expect(record).toMatchObject({ key: "marketing/dt=2017-01-05/campaigns.csv", reason: "unknown_source" });
  });

  it("treats a duplicate delivery as a logged no-op", async () => {
    const workflow = new RecordingWorkflow();
    const app = await testApp(await tempDir(), { workflow });
    const handler = build(appOf(app));
    const event = await sample();
    await handler(event, lambdaContext("trigger") as never);
    const again = await handler(event, lambdaContext("trigger") as never);
    expect(again.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      "7c9d7b4e-0f0a-4b1e-9b55-1a2b3c4d5e06",
    ]);
    expect(workflow.started).toHaveLength(1);
    expect(
      logs
        .lines()
        .filter((line) => line.message === "batch routed")
        .at(-1),
    ).toMatchObject({
      runs: [{ runId: workflow.started[0]?.name, files: 2, alreadyExisted: true }],
    });
  });

  it("reports the messages of a run it could not start, and only those", async () => {
    const workflow = new RecordingWorkflow();
    workflow.failNext = 1;
    const app = await testApp(await tempDir(), { workflow });
    const handler = build(appOf(app));
    const response = await handler(await sample(), lambdaContext("trigger") as never);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      "7c9d7b4e-0f0a-4b1e-9b55-1a2b3c4d5e01",
      "7c9d7b4e-0f0a-4b1e-9b55-1a2b3c4d5e02",
      "7c9d7b4e-0f0a-4b1e-9b55-1a2b3c4d5e06",
    ]);
  });

  it("splits a window into several runs only past the size bound", async () => {
    const workflow = new RecordingWorkflow();
    const app = await testApp(await tempDir(), { workflow, tuning: { batchMaxFiles: 1 } });
    const handler = build(appOf(app));
    await handler(await sample(), lambdaContext("trigger") as never);
    expect(workflow.started.map((s) => s.input.inputs.map((i) => i.source))).toEqual([
      ["orders"],
      ["payments"],
    ]);
  });

  it("makes each PUT of a key a new version and a new run, even of the same bytes; in one window the later PUT wins", async () => {
    const workflow = new RecordingWorkflow();
    const app = await testApp(await tempDir(), { workflow });
    const put = (messageId: string, eventTime: string, sequencer: string): S3ObjectEvent => ({
      messageId,
      eventName: "ObjectCreated:Put",
      eventTime,
      bucket: "raw",
      key: "orders/dt=2017-01-05/o.csv",
      size: 10,
      etag: "same-bytes",
      sequencer,
    });
    const deps = { ...app, tuning: app.config.tuning };
    const first = await routeBatch([put("m1", "2026-11-21T19:46:58.120Z", "0062B4C0E2A1D2F1A8")], [], deps);
    // The same bytes put again later: same key and ETag, a newer version, a new run (not a duplicate delivery).
    const again = await routeBatch([put("m2", "2026-11-21T19:50:00.000Z", "0062B4C0E2A1D2F1F0")], [], deps);
    // Both PUTs in one window: one run, carrying the later one (greater sequencer, whatever the message order).
    const both = await routeBatch(
      [
        put("m4", "2026-11-21T19:46:58.120Z", "0062B4C0E2A1D2F1F1"),
        put("m3", "2026-11-21T19:46:58.120Z", "0062B4C0E2A1D2F1A9"),
      ],
      [],
      deps,
    );
    expect([first, again, both].map((outcome) => outcome.runs.map((run) => run.alreadyExisted))).toEqual([
      [false],
      [false],
      [false],
    ]);
    expect(new Set(workflow.started.map((run) => run.name)).size).toBe(3);
    expect(workflow.started.map((run) => run.input.inputs.map((input) => input.version))).toEqual([
      ["001795290418120:000000000000000062B4C0E2A1D2F1A8"],
      ["001795290600000:000000000000000062B4C0E2A1D2F1F0"],
      ["001795290418120:000000000000000062B4C0E2A1D2F1F1"],
    ]);
  });

  it("routes keys without a real batch date, or with ./../empty segments, to _unrouted with a reason and an alert", async () => {
    const workflow = new RecordingWorkflow();
    const app = await testApp(await tempDir(), { workflow });
    const event = (key: string, index: number): S3ObjectEvent => ({
      messageId: `m${index}`,
      eventName: "ObjectCreated:Put",
      eventTime: "2026-11-21T19:46:58.120Z",
      bucket: "raw",
      key,
      size: 10,
      etag: `e${index}`,
    });
    const keys = [
      "orders/dt=2017-01-05/good.csv",
      "orders/dt=2017-13-45/o.csv",
      "orders/dt=2017-02-30/o.csv",
      "orders/o.csv",
      "orders/2017-01-05/o.csv",
      "orders/dt=2017-01-05/../../payments/dt=2017-01-05/p.jsonl",
      "orders//o.csv",
    ];
    const outcome = await routeBatch(keys.map(event), [], { ...app, tuning: app.config.tuning });
    expect(outcome.batchItemFailures).toEqual([]);
    expect(
      workflow.started.map((run) => run.input.inputs.map((input) => [input.key, input.batch_date])),
    ).toEqual([[["orders/dt=2017-01-05/good.csv", "2017-01-05"]]]);
    const expected = [
      ["orders/dt=2017-13-45/o.csv", "invalid_batch_date"],
      ["orders/dt=2017-02-30/o.csv", "invalid_batch_date"],
      ["orders/o.csv", "no_batch_date"],
      ["orders/2017-01-05/o.csv", "invalid_key"],
      ["orders/dt=2017-01-05/../../payments/dt=2017-01-05/p.jsonl", "invalid_key"],
      ["orders//o.csv", "invalid_key"],
    ];
    expect(outcome.unroutable.map((u) => [u.key, u.reason])).toEqual(expected);
    expect(app.alerts.sent.map((a) => [a.details?.key, a.details?.reason])).toEqual(expected);
    for (const [key, reason] of expected) {
      const index = keys.indexOf(key as string);
      const record = JSON.parse(
        new TextDecoder().decode(
          await app.store.get({ bucket: "curated", key: unroutedKey(key as string, `e${index}`) }),
        ),
      );
      expect(record).toMatchObject({ key, reason });
      expect(record.detail).toEqual(expect.any(String));
    }
  });

  it("says which bound split a window into several runs", async () => {
    const workflow = new RecordingWorkflow();
    const app = await testApp(await tempDir(), { workflow, tuning: { batchMaxFiles: 2 } });
    const events: S3ObjectEvent[] = [1, 2, 3, 4, 5].map((day) => ({
      messageId: `m${day}`,
      eventName: "ObjectCreated:Put",
      eventTime: "2026-11-21T19:46:58.120Z",
      bucket: "raw",
      key: `orders/dt=2017-01-0${day}/o.csv`,
      size: 10,
      etag: `e${day}`,
    }));
    const outcome = await routeBatch(events, [], { ...app, tuning: app.config.tuning });
    expect(outcome.runs.map((run) => run.files)).toEqual([2, 2, 1]);
    expect(outcome.splitReasons).toEqual(["files", "files"]);
    expect(app.log.lines.find((line) => line.message.startsWith("batch window split"))?.extra).toEqual({
      runs: 3,
      why: "a run takes at most 2 files (BATCH_MAX_FILES)",
    });
  });

  it("records an object of a source dated by a column, put without a dt= folder, as unrouted: use pipeline drop", async () => {
    const workflow = new RecordingWorkflow();
    const app = await testApp(await tempDir(), { workflow });
    const bundle = await shippedBundle();
    const orders = bundle.sources.orders as CompiledSource;
    await app.store.put(
      { bucket: "artifacts", key: BUNDLE_KEY },
      JSON.stringify({
        ...bundle,
        sources: {
          ...bundle.sources,
          orders: { ...orders, batch_date: { from: "column", column: "order_purchase_timestamp" } },
        },
      }),
    );
    const event = (key: string, index: number): S3ObjectEvent => ({
      messageId: `m${index}`,
      eventName: "ObjectCreated:Put",
      eventTime: "2026-11-21T19:46:58.120Z",
      bucket: "raw",
      key,
      size: 10,
      etag: `e${index}`,
    });
    const outcome = await routeBatch(
      [event("orders/dt=2017-01-05/export.csv", 0), event("orders/export.csv", 1)],
      [],
      { ...app, tuning: app.config.tuning },
    );
    // A dt= folder (what pipeline drop writes) routes; the same file straight under the source does not.
    expect(
      workflow.started.map((run) => run.input.inputs.map((input) => [input.key, input.batch_date])),
    ).toEqual([[["orders/dt=2017-01-05/export.csv", "2017-01-05"]]]);
    expect(outcome.unroutable).toEqual([{ key: "orders/export.csv", reason: "no_batch_date" }]);
    const record = JSON.parse(
      new TextDecoder().decode(
        await app.store.get({ bucket: "curated", key: unroutedKey("orders/export.csv", "e1") }),
      ),
    );
    expect(record).toMatchObject({ key: "orders/export.csv", reason: "no_batch_date" });
    expect(record.detail).toMatch(
      /the orders contract dates a file by its column order_purchase_timestamp .*`pipeline drop <file> --source orders`/,
    );
    expect(app.alerts.sent.map((alert) => [alert.kind, alert.subject, alert.message])).toEqual([
      ["unroutable_object", "raw object not routed (no_batch_date): orders/export.csv", record.detail],
    ]);
  });

  it("rejects an event that is not an SQS event at all", async () => {
    const handler = build(appOf(await testApp(await tempDir())));
    await expect(
      handler({ Records: [{ foo: 1 }] } as never, lambdaContext("trigger") as never),
    ).rejects.toThrow();
  });
});
