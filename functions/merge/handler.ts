import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { mergeRun } from "../../src/core/load-steps.js";
import { mergeInputSchema } from "../../src/core/task-inputs.js";

/** Merge: staging -> core -> star for the run, in one transaction (`$.merge`). */
export const build = (app: AppSource) => lambdaHandler(mergeInputSchema, mergeRun, app);

export const handler = build(lambdaApp);
