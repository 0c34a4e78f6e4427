import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

const instances = new Map<string, Metrics>();

/**
 * Emits the per-run data-quality metric in CloudWatch embedded metric format: one data point, the
 * number of sources whose verdict is `fail` (0 when none), dimension `service` only. The alarm on
 * it is the deploy's (docs/deploy.md). No IAM: CloudWatch extracts it from the log line.
 *
 * @example
 *   publishQualityFailures({ namespace: "SalesPipeline/dev", name: "DataQualityFailures" }, 1);
 */
export const publishQualityFailures = (
  metric: { namespace: string; name: string },
  failingSources: number,
): void => {
  let metrics = instances.get(metric.namespace);
  if (!metrics) {
    metrics = new Metrics({ namespace: metric.namespace, serviceName: "check-quality" });
    instances.set(metric.namespace, metrics);
  }
  metrics.addMetric(metric.name, MetricUnit.Count, failingSources);
  metrics.publishStoredMetrics();
};
