import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { publish } from "../../src/core/publish.js";
import { publishInputSchema } from "../../src/core/task-inputs.js";

/** Publish: the passing entities' curated data files -> the load bucket (`$.publish`). */
export const build = (app: AppSource) => lambdaHandler(publishInputSchema, publish, app);

export const handler = build(lambdaApp);
