import type { App, AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { checkQuality } from "../../src/core/check-quality.js";
import { SOURCE_QUALITY_METRIC } from "../../src/core/run-metrics.js";
import { checkQualityInputSchema } from "../../src/core/task-inputs.js";
import { publishCount, publishCountsBy } from "../../src/observability/metrics.js";

/** CheckQuality: the contracts' rules on the Spark metrics -> the gate (`$.quality`). */
const checkQualityStep = async (event: Parameters<typeof checkQuality>[0], app: App) => {
  const gate = await checkQuality(event, app);
  // One data point per run: the sources whose verdict is fail (0 when none).
  if (app.config.qualityMetric) {
    publishCount(app.config.qualityMetric, "check-quality", gate.failing_sources.length);
    // The dashboard's "DQ failures by source": per source of the run, 1 when its verdict is fail, else 0.
    publishCountsBy(
      { namespace: app.config.qualityMetric.namespace, name: SOURCE_QUALITY_METRIC },
      "check-quality",
      "source",
      Object.fromEntries(
        Object.entries(gate.sources).map(([source, verdict]) => [source, verdict === "fail" ? 1 : 0]),
      ),
    );
  }
  return gate;
};

export const build = (app: AppSource) => lambdaHandler(checkQualityInputSchema, checkQualityStep, app);

export const handler = build(lambdaApp);
