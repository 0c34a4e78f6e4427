import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { planBatch } from "../../src/core/plan-batch.js";
import { runInputSchema } from "../../src/documents/run-input.js";

/** PlanBatch: the execution input -> the run manifest (`$.plan`). */
export const build = (app: AppSource) => lambdaHandler(runInputSchema, planBatch, app);

export const handler = build(lambdaApp);
