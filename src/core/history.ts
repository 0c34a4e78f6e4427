import type { StateVisit } from "../ports/workflow.js";

/** An execution history event, normalized from Step Functions or from the local runner's event log. */
export interface HistoryEvent {
  readonly kind: "entered" | "exited" | "scheduled" | "failed" | "retried" | "caught" | "execution_ended";
  readonly at: string;
  readonly state?: string;
  readonly type?: string;
  readonly error?: string;
  readonly cause?: string;
}

interface OpenVisit {
  name: string;
  type: string;
  enteredAt: string;
  retries: number;
  errors: { error: string; cause: string }[];
  caught: boolean;
  /** A failure not yet followed by a retry: if the state exits now, a Catch moved on. */
  failing: boolean;
  scheduled: number;
}

const seconds = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / 10) / 100;

/**
 * Folds a history into the states visited, in order, with timings. A visit ends at its exit, at
 * the next state's entry (a Catch moved on), or at the end of the execution.
 *
 * @example
 *   foldHistory([{ kind: "entered", state: "PlanBatch", type: "Task", at: t0 },
 *                { kind: "exited", state: "PlanBatch", at: t1 }]);
 *   // [{ name: "PlanBatch", outcome: "succeeded", seconds: …, retries: 0, … }]
 */
export const foldHistory = (events: readonly HistoryEvent[]): StateVisit[] => {
  const visits: StateVisit[] = [];
  let open: OpenVisit | undefined;
  const close = (at: string, outcome: StateVisit["outcome"]): void => {
    if (!open) return;
    visits.push({
      name: open.name,
      type: open.type,
      enteredAt: open.enteredAt,
      exitedAt: at,
      seconds: seconds(open.enteredAt, at),
      outcome: open.caught || (outcome === "succeeded" && open.failing) ? "caught" : outcome,
      retries: open.retries,
      errors: open.errors,
    });
    open = undefined;
  };
  for (const event of events) {
    switch (event.kind) {
      case "entered":
        if (open) close(event.at, "succeeded");
        open = {
          name: event.state ?? "?",
          type: event.type ?? "?",
          enteredAt: event.at,
          retries: 0,
          errors: [],
          caught: false,
          failing: false,
          scheduled: 0,
        };
        break;
      case "exited":
        close(event.at, "succeeded");
        break;
      case "scheduled":
        // Step Functions has no retry event: a task scheduled again within a visit is a retry.
        if (open) {
          if (open.scheduled > 0) open.retries += 1;
          open.scheduled += 1;
          open.failing = false;
        }
        break;
      case "failed":
        if (open) {
          open.errors.push({ error: event.error ?? "", cause: event.cause ?? "" });
          open.failing = true;
        }
        break;
      case "retried":
        if (open) {
          open.retries += 1;
          open.failing = false;
        }
        break;
      case "caught":
        if (open) open.caught = true;
        break;
      case "execution_ended":
        close(event.at, "failed");
        break;
    }
  }
  if (open) {
    visits.push({
      name: open.name,
      type: open.type,
      enteredAt: open.enteredAt,
      outcome: "running",
      retries: open.retries,
      errors: open.errors,
    });
  }
  return visits;
};
