import type { LocalWorkflowEvent } from "../../adapters/local/local-workflow.js";
import { causeText } from "../../core/notify.js";

interface Active {
  readonly started: number;
  state: string;
  enteredAt: number;
  readonly path: { name: string; seconds: number }[];
}

const short = (runId: string): string => (runId.length > 30 ? `${runId.slice(0, 29)}…` : runId);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/**
 * Shows which state each run is in while the local workflow works. On a terminal one live line
 * per active run is rewritten; otherwise a line per run start and end. A failed run ends with one
 * line saying what failed and a hint; the detail is in the run record.
 *
 * @example
 *   const progress = new Progress(process.stdout, "local");
 *   await LocalStage.open({ projectRoot, onWorkflowEvent: progress.handle });
 */
export class Progress {
  private readonly active = new Map<string, Active>();
  private liveLines = 0;
  readonly finished: { runId: string; status: string; seconds: number }[] = [];

  constructor(
    private readonly out: NodeJS.WriteStream | { write: (text: string) => unknown; isTTY?: boolean },
    private readonly stage: string,
  ) {}

  private get tty(): boolean {
    return Boolean((this.out as { isTTY?: boolean }).isTTY);
  }

  private clearLive(): void {
    if (!this.tty || this.liveLines === 0) return;
    this.out.write(`\x1b[${this.liveLines}A\x1b[0J`);
    this.liveLines = 0;
  }

  private drawLive(): void {
    if (!this.tty) return;
    const now = Date.now();
    const lines = [...this.active].map(
      ([runId, run]) =>
        `  ⟳ ${short(runId)}  ${run.state} (${seconds(now - run.enteredAt)}, total ${seconds(now - run.started)})`,
    );
    if (lines.length > 0) this.out.write(`${lines.join("\n")}\n`);
    this.liveLines = lines.length;
  }

  /** Writes a line above the live lines (alerts, messages). */
  print = (text: string): void => {
    this.clearLive();
    this.out.write(text);
    this.drawLive();
  };

  handle = (event: LocalWorkflowEvent): void => {
    const at = Date.parse(event.at);
    this.clearLive();
    if (event.kind === "started") {
      this.active.set(event.execution, { started: at, state: "starting", enteredAt: at, path: [] });
      if (!this.tty) this.out.write(`  ▶ ${event.execution} started\n`);
    } else if (event.kind === "state") {
      const run = this.active.get(event.execution);
      if (run) {
        if (run.state !== "starting")
          run.path.push({ name: run.state, seconds: (at - run.enteredAt) / 1000 });
        run.state = event.state ?? "?";
        run.enteredAt = at;
      }
    } else if (event.kind === "retry") {
      this.out.write(`  ↻ ${event.execution}: retrying ${event.state}\n`);
    } else if (event.kind === "finished") {
      const run = this.active.get(event.execution);
      this.active.delete(event.execution);
      const total = run ? (at - run.started) / 1000 : 0;
      this.finished.push({ runId: event.execution, status: event.status ?? "?", seconds: total });
      if (event.status === "SUCCEEDED") {
        this.out.write(`  ✓ ${event.execution} succeeded in ${total.toFixed(1)}s\n`);
      } else {
        const reason = causeText(event.cause).split("\n")[0]?.slice(0, 160) ?? "";
        this.out.write(
          `  ✗ ${event.execution} ${event.status?.toLowerCase()}: ${event.error ?? "error"}${reason ? `: ${reason}` : ""}\n` +
            `    hint: pipeline status ${event.execution} --stage ${this.stage}  (states, rows, DQ verdict, the full error)\n`,
        );
      }
    }
    this.drawLive();
  };
}
