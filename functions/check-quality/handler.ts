import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { z } from "zod";
import { getApp } from "../../src/app/index.js";
import { checkQuality } from "../../src/core/check-quality.js";
import { SOURCE_QUALITY_METRIC } from "../../src/core/run-metrics.js";
import { checkQualityInputSchema } from "../../src/core/task-inputs.js";
import { logger } from "../../src/observability/logger.js";
import { publishCount, publishCountsBy } from "../../src/observability/metrics.js";
import { runContext } from "../../src/observability/middleware.js";

/** CheckQuality: the contracts' rules on the Spark metrics -> the gate (`$.quality`). */
export const handler = middy(async (event: z.infer<typeof checkQualityInputSchema>) => {
  const app = await getApp();
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
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(runContext())
  .use(parser({ schema: checkQualityInputSchema }));
