import { qualityReportSchema } from "../documents/quality-report.js";
import { readJson } from "../documents/store.js";
import type { Alert, Alerts } from "../ports/alerts.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { Log } from "./deps.js";

export interface NotifyInput {
  readonly kind: "quality_failed" | "run_failed";
  readonly run_id: string;
  readonly quality?: { readonly report_uri: string; readonly failing_sources: readonly string[] };
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** Lambda errors reach Catch with `Cause` as the JSON of {errorType, errorMessage, trace}. */
export const causeText = (cause: string | undefined): string => {
  if (!cause) return "";
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return cause;
};

/**
 * Sends the alert of a failed run or of a source stopped by the quality gate, naming what failed.
 *
 * @example
 *   await notify({ kind: "run_failed", run_id, error: { Error: "SparkJobError", Cause: "…" } }, deps);
 */
export const notify = async (
  input: NotifyInput,
  deps: { readonly store: ObjectStore; readonly alerts: Alerts; readonly log: Log; readonly now: () => Date },
): Promise<Alert> => {
  const at = deps.now().toISOString();
  let alert: Alert;
  if (input.kind === "quality_failed") {
    const failing = input.quality?.failing_sources ?? [];
    const lines: string[] = [];
    if (input.quality?.report_uri) {
      const report = await readJson(
        deps.store,
        deps.store.parseUri(input.quality.report_uri),
        qualityReportSchema,
      );
      for (const source of failing) {
        for (const rule of report.sources[source]?.rules ?? []) {
          if (rule.status === "fail") lines.push(`${source}: ${rule.name}: ${rule.detail}`);
        }
      }
    }
    alert = {
      kind: "quality_failed",
      runId: input.run_id,
      at,
      subject: `data quality failed for ${failing.join(", ")}: held in quarantine`,
      message: lines.length > 0 ? lines.join("\n") : "see the quality report",
      details: { failing_sources: failing, report_uri: input.quality?.report_uri ?? null },
    };
  } else {
    const error = input.error?.Error ?? "unknown error";
    const cause = causeText(input.error?.Cause);
    alert = {
      kind: "run_failed",
      runId: input.run_id,
      at,
      subject: `run failed: ${error}`,
      message: cause || error,
      details: { error, cause },
    };
  }
  await deps.alerts.publish(alert);
  deps.log.warn("alert sent", { run_id: input.run_id, kind: alert.kind, subject: alert.subject });
  return alert;
};
