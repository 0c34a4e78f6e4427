import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { verifyLoad } from "../../src/core/load-steps.js";
import { verifyLoadInputSchema } from "../../src/core/task-inputs.js";

/** VerifyLoad: the warehouse's post-load checks against the run's metrics (`$.verify`). */
export const build = (app: AppSource) => lambdaHandler(verifyLoadInputSchema, verifyLoad, app);

export const handler = build(lambdaApp);
