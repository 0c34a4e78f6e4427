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

/**
 * Emits several values of one service at once (one EMF line), dimension `service` only.
 *
 * @example
 *   publishValues("SalesPipeline/dev", "record-run", [{ name: "RowsRead", unit: "Count", value: 452 }]);
 */
export const publishValues = (
  namespace: string,
  service: string,
  values: readonly { readonly name: string; readonly unit: "Count" | "Seconds"; readonly value: number }[],
): void => {
  if (values.length === 0) return;
  const metrics = new Metrics({ namespace, serviceName: service });
  for (const { name, unit, value } of values) metrics.addMetric(name, MetricUnit[unit], value);
  metrics.publishStoredMetrics();
};

/**
 * Emits one count per value of a dimension (one EMF line each, dimensions `service` and `dimension`): e.g. the
 * sources a quality gate failed, 1 or 0 per source.
 *
 * @example
 *   publishCountsBy({ namespace: "SalesPipeline/dev", name: "SourceQualityFailures" }, "check-quality", "source", { orders: 1 });
 */
export const publishCountsBy = (
  metric: CountMetric,
  service: string,
  dimension: string,
  counts: Readonly<Record<string, number>>,
): void => {
  for (const [value, count] of Object.entries(counts)) {
    const metrics = new Metrics({ namespace: metric.namespace, serviceName: service });
    metrics.addDimension(dimension, value);
    metrics.addMetric(metric.name, MetricUnit.Count, count);
    metrics.publishStoredMetrics();
  }
};
