import type { StateVisit } from "../ports/workflow.js";

/** An execution history event, normalized from Step Functions or from the local runner's event log. */
export interface HistoryEvent {
  readonly kind: "entered" | "exited" | "failed" | "retried" | "caught" | "execution_ended";
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
      outcome: open.caught ? "caught" : outcome,
      retries: open.retries,
      errors: open.errors,
    });
    open = undefined;
  };
  for (const event of events) {
    switch (event.kind) {
      case "entered":
        if (open) close(event.at, open.errors.length > 0 ? "caught" : "succeeded");
        open = {
          name: event.state ?? "?",
          type: event.type ?? "?",
          enteredAt: event.at,
          retries: 0,
          errors: [],
          caught: false,
        };
        break;
      case "exited":
        close(event.at, "succeeded");
        break;
      case "failed":
        open?.errors.push({ error: event.error ?? "", cause: event.cause ?? "" });
        break;
      case "retried":
        if (open) open.retries += 1;
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
