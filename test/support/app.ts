import { Writable } from "node:stream";
import { LocalObjectStore } from "../../src/adapters/local/local-object-store.js";
import type { App } from "../../src/app/app.js";
import { localConfig, type Tuning } from "../../src/config/index.js";
import { StoredContracts } from "../../src/core/contract-source.js";
import { redirectLogs } from "../../src/observability/logger.js";
import type { Warehouse } from "../../src/ports/warehouse.js";
import type { Workflow } from "../../src/ports/workflow.js";
import { deployBundle } from "./bundle.js";
import { FakeWarehouse } from "./fake-warehouse.js";
import { MemoryAlerts, MemoryLog, RecordingWorkflow } from "./fakes.js";

export interface TestApp extends App {
  readonly store: LocalObjectStore;
  readonly alerts: MemoryAlerts;
  readonly log: MemoryLog;
}

/** An application over a temporary local stage, with the shipped contracts deployed. */
export const testApp = async (
  root: string,
  options: { workflow?: Workflow; warehouse?: Warehouse; tuning?: Partial<Tuning>; now?: () => Date } = {},
): Promise<TestApp> => {
  const config = localConfig({
    stage: "test",
    projectRoot: root,
    ...(options.tuning ? { tuning: options.tuning } : {}),
  });
  const store = new LocalObjectStore(config.localRoot as string);
  await deployBundle(store);
  return {
    config,
    store,
    workflow: options.workflow ?? new RecordingWorkflow(),
    alerts: new MemoryAlerts(),
    contracts: new StoredContracts(store),
    warehouse: options.warehouse ?? new FakeWarehouse(store),
    log: new MemoryLog(),
    now: options.now ?? (() => new Date("2026-11-21T19:47:00.000Z")),
  };
};

/** A Lambda context good enough for Powertools and middy. */
export const lambdaContext = (functionName: string) => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
  memoryLimitInMB: "512",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: "2026/11/21/[$LATEST]abcdef",
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Captures the structured logger's JSON lines (and keeps test output quiet). */
export const captureLogs = (): { lines: () => Record<string, unknown>[] } => {
  const chunks: string[] = [];
  redirectLogs(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
  );
  return {
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
};
