import { z } from "zod";
import { bundleSchema } from "./bundle.js";
import { executionStateSchema } from "./execution-state.js";
import { runManifestSchema } from "./manifest.js";
import { metricsSchema } from "./metrics.js";
import { qualityReportSchema } from "./quality-report.js";
import { runInputSchema } from "./run-input.js";
import { runRecordSchema } from "./run-record.js";

/** Every exchanged document by the file name of its exported JSON Schema. */
export const DOCUMENTS = {
  "run-input": runInputSchema,
  manifest: runManifestSchema,
  bundle: bundleSchema,
  metrics: metricsSchema,
  "quality-report": qualityReportSchema,
  "run-record": runRecordSchema,
  "execution-state": executionStateSchema,
} as const;

export type DocumentName = keyof typeof DOCUMENTS;

/** Where the exported schemas live: inside the Spark package, so that the EMR zip carries them. */
export const JSON_SCHEMA_FOLDER = "spark/src/pipeline_spark/schemas";

/**
 * A document's JSON Schema as the Spark job reads it: the schema of what a writer may write (`io: "input"`:
 * a field with a default is optional), as stable pretty JSON.
 *
 * @example
 *   jsonSchemaText("manifest"); // '{\n  "$schema": "https://json-schema.org/draft/2020-12/schema", ...'
 */
export const jsonSchemaText = (name: DocumentName): string =>
  `${JSON.stringify(z.toJSONSchema(DOCUMENTS[name], { io: "input" }), null, 2)}\n`;
