import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { awaitLoad } from "../../src/core/load-steps.js";
import { awaitLoadInputSchema } from "../../src/core/task-inputs.js";

/** AwaitLoad: has auto-copy loaded every published file? (`$.load`, polled by a Wait loop) */
export const build = (app: AppSource) =>
  lambdaHandler(
    awaitLoadInputSchema,
    (event, app) => awaitLoad(event, { ...app, maxWaitSeconds: app.config.tuning.awaitLoadMaxWaitSeconds }),
    app,
  );

export const handler = build(lambdaApp);
