import type { Log } from "../../src/core/deps.js";
import type { RunInput } from "../../src/documents/run-input.js";
import type { Alert, Alerts } from "../../src/ports/alerts.js";
import type { ExecutionSummary, StartResult, StateVisit, Workflow } from "../../src/ports/workflow.js";

/** Alerts kept in memory, in order. */
export class MemoryAlerts implements Alerts {
  readonly sent: Alert[] = [];
  async publish(alert: Alert): Promise<void> {
    this.sent.push(alert);
  }
}

/** A log that keeps its lines (level, message, extra) for assertions. */
export class MemoryLog implements Log {
  readonly lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  info(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: "info", message, ...(extra ? { extra } : {}) });
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: "warn", message, ...(extra ? { extra } : {}) });
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: "error", message, ...(extra ? { extra } : {}) });
  }
}

/**
 * A workflow that records starts and refuses a name it has seen (as Step Functions does);
 * `failNext` makes the next starts throw.
 */
export class RecordingWorkflow implements Workflow {
  readonly started: { name: string; input: RunInput }[] = [];
  failNext = 0;
  async start(name: string, input: RunInput): Promise<StartResult> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw Object.assign(new Error("throttled"), { name: "ThrottlingException" });
    }
    const arn = `arn:aws:states:eu-west-1:123456789012:execution:pipeline:${name}`;
    if (this.started.some((s) => s.name === name)) return { executionArn: arn, alreadyExisted: true };
    this.started.push({ name, input });
    return { executionArn: arn, alreadyExisted: false };
  }
  async describe(): Promise<ExecutionSummary | undefined> {
    return undefined;
  }
  async list(): Promise<ExecutionSummary[]> {
    return [];
  }
  async history(): Promise<StateVisit[]> {
    return [];
  }
}
