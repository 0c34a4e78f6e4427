import type { PipelineConfig } from "../config/index.js";
import type { ContractSource, Log } from "../core/deps.js";
import type { Alerts } from "../ports/alerts.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Warehouse } from "../ports/warehouse.js";
import type { Workflow } from "../ports/workflow.js";

/**
 * The assembled application: one adapter per port, chosen once by a composition root (`assembleAws` in
 * app/aws.ts, `assembleLocal` in app/local.ts). It is passed to the handlers, which never learn which stage
 * they run in.
 */
export interface App {
  readonly config: PipelineConfig;
  readonly store: ObjectStore;
  readonly workflow: Workflow;
  readonly alerts: Alerts;
  readonly contracts: ContractSource;
  readonly warehouse: Warehouse;
  readonly log: Log;
  readonly now: () => Date;
}

/**
 * Where a handler gets its App on each invocation: in Lambda, assembled once per container on first use
 * (app/lambda.ts); locally and in tests, the App already assembled.
 *
 * @example
 *   const handler = buildPlanBatch(async () => app);
 */
export type AppSource = () => Promise<App>;
