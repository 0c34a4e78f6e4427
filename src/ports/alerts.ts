/** Alerts port: SNS in the cloud; the run record and the terminal locally. */
export type AlertKind = "run_failed" | "quality_failed" | "unroutable_object";

export interface Alert {
  readonly kind: AlertKind;
  readonly subject: string;
  readonly message: string;
  readonly runId?: string;
  readonly at: string;
  readonly details?: Record<string, unknown>;
}

export interface Alerts {
  publish(alert: Alert): Promise<void>;
}
