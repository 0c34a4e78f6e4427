import type { RunInput } from "../documents/run-input.js";

/**
 * Workflow port: the Step Functions state machine (cloud) or the same ASL run in-process (local).
 */
export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface ExecutionSummary {
  readonly name: string;
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** One visit of one state, from the execution history. */
export interface StateVisit {
  readonly name: string;
  readonly type: string;
  readonly enteredAt: string;
  readonly exitedAt?: string;
  readonly seconds?: number;
  /** `succeeded`, `failed` (no catcher), `caught` (a Catch moved on), or `running`. */
  readonly outcome: "succeeded" | "failed" | "caught" | "running";
  /** How many times the state was retried during this visit. */
  readonly retries: number;
  readonly errors: readonly { readonly error: string; readonly cause: string }[];
}

export interface StartResult {
  readonly executionArn: string;
  /** True when an execution of that name already existed: a duplicate delivery, a no-op. */
  readonly alreadyExisted: boolean;
}

export interface Workflow {
  /** Starts a Standard execution named `name`; the name is the run id. */
  start(name: string, input: RunInput): Promise<StartResult>;
  describe(name: string): Promise<ExecutionSummary | undefined>;
  /** Most recent first. */
  list(limit: number): Promise<ExecutionSummary[]>;
  /** States visited, in order, with timings, retries and errors. */
  history(name: string): Promise<StateVisit[]>;
}
