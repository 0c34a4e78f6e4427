import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Alert, Alerts } from "../../ports/alerts.js";

/**
 * Alerts of the local stage: appended to `<stage root>/alerts.jsonl` (the run record shows a run's
 * alerts from there) and printed as one line.
 *
 * @example
 *   const alerts = new LocalAlerts("/repo/.local/local/alerts.jsonl", (line) => process.stdout.write(line));
 */
export class LocalAlerts implements Alerts {
  constructor(
    private readonly file: string,
    private readonly print: (line: string) => void,
  ) {}

  async publish(alert: Alert): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify(alert)}\n`);
    this.print(`ALERT [${alert.kind}] ${alert.subject}${alert.runId ? ` (run ${alert.runId})` : ""}\n`);
  }

  /** Alerts of one run (or all), oldest first. */
  async read(runId?: string): Promise<Alert[]> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Alert)
      .filter((alert) => runId === undefined || alert.runId === runId);
  }
}
