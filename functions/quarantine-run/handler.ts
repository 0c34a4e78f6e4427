import type { AppSource } from "../../src/app/app.js";
import { lambdaApp } from "../../src/app/lambda.js";
import { lambdaHandler } from "../../src/app/lambda-handler.js";
import { ENTITIES } from "../../src/contracts/entities.js";
import { quarantineRun } from "../../src/core/quarantine.js";
import { quarantineInputSchema } from "../../src/core/task-inputs.js";

/** QuarantineRun: holds a run's (or failing sources') curated output aside (`$.quarantine`). */
export const build = (app: AppSource) =>
  lambdaHandler(
    quarantineInputSchema,
    // The conformed entities are fixed (ARCHITECTURE section 4): no need to read the contract bundle.
    (event, app) => quarantineRun(event, { ...app, entities: ENTITIES.map((entity) => entity.name) }),
    app,
  );

export const handler = build(lambdaApp);
