import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { notify } from "../../src/core/notify.js";
import { notifyInputSchema } from "../../src/core/task-inputs.js";

/** Notify: one alert for a failed run or a source stopped by the quality gate. */
export const build = (app: AppSource) => lambdaHandler(notifyInputSchema, notify, app);

export const handler = build(lambdaApp);
