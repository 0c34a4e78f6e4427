/**
 * Writes the JSON Schema of every exchanged document (src/documents) into the Spark package, where the job
 * validates the manifest and the bundle against them. `make schemas` runs it; test/documents checks that the
 * committed files are current.
 *
 *   tsx scripts/export-document-schemas.ts
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DOCUMENTS,
  type DocumentName,
  JSON_SCHEMA_FOLDER,
  jsonSchemaText,
} from "../src/documents/json-schema.js";

await mkdir(JSON_SCHEMA_FOLDER, { recursive: true });
for (const name of Object.keys(DOCUMENTS) as DocumentName[]) {
  await writeFile(join(JSON_SCHEMA_FOLDER, `${name}.json`), jsonSchemaText(name));
}
console.log(`wrote ${Object.keys(DOCUMENTS).length} document schemas to ${JSON_SCHEMA_FOLDER}/`);
