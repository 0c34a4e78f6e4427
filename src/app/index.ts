import type { PipelineConfig } from "../config/index.js";
import { loadConfig } from "../config/index.js";
import type { ContractSource, Log } from "../core/deps.js";
import type { Alerts } from "../ports/alerts.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Warehouse } from "../ports/warehouse.js";
import type { Workflow } from "../ports/workflow.js";

/**
 * The assembled application: one adapter per port, chosen once from the configuration's
 * platform. Handlers ask for it with `getApp()` and never learn which stage they run in.
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

let current: Promise<App> | undefined;

/**
 * The application of this process. In Lambda it is assembled on first use from the environment
 * (AWS adapters); the local stage installs its own with `useApp` before running the workflow.
 *
 * @example
 *   const app = await getApp();
 */
export const getApp = (): Promise<App> => {
  if (!current) {
    current = (async () => {
      const config = loadConfig(process.env);
      const { assembleAws } = await import("./aws.js");
      return assembleAws(config);
    })();
    // A failed assembly (bad configuration) must fail every invocation, not be cached as a rejection forever.
    current.catch(() => {
      current = undefined;
    });
  }
  return current;
};

/** Installs the application the handlers of this process use (the local stage, tests). */
export const useApp = (app: App): void => {
  current = Promise.resolve(app);
};

/** Forgets the installed application (tests). */
export const resetApp = (): void => {
  current = undefined;
};
