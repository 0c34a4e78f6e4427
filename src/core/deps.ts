import type { ContractBundle } from "../contracts/index.js";
import type { Alerts } from "../ports/alerts.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Workflow } from "../ports/workflow.js";

/** What the core needs from a logger (Powertools' Logger satisfies it; tests pass a recorder). */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface ContractSource {
  /** The contract bundle currently deployed (artifacts bucket), cached while it is unchanged. */
  get(): Promise<ContractBundle>;
}

/** The ports a step of the pipeline may use; each step takes the subset it needs. */
export interface CoreDeps {
  readonly store: ObjectStore;
  readonly workflow: Workflow;
  readonly alerts: Alerts;
  readonly contracts: ContractSource;
  readonly log: Log;
  readonly now: () => Date;
}
