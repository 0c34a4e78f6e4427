import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

const instances = new Map<string, Metrics>();

/** A CloudWatch metric a function is configured to emit (namespace and name from its environment). */
export interface CountMetric {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Emits one data point of a count in CloudWatch embedded metric format, dimension `service` only. The
 * alarms on these metrics are the deploy's (docs/deploy.md). No IAM: CloudWatch extracts it from the log line.
 *
 * @example
 *   publishCount({ namespace: "SalesPipeline/dev", name: "DataQualityFailures" }, "check-quality", 1);
 */
export const publishCount = (metric: CountMetric, service: string, value: number): void => {
  const key = `${metric.namespace}\u0000${service}`;
  let metrics = instances.get(key);
  if (!metrics) {
    metrics = new Metrics({ namespace: metric.namespace, serviceName: service });
    instances.set(key, metrics);
  }
  metrics.addMetric(metric.name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
};
