import type { z } from "zod";
import { DocumentError } from "../errors.js";
import type { ObjectRef, ObjectStore } from "../ports/object-store.js";

export { DocumentError };

const pathOf = (path: readonly PropertyKey[]): string =>
  path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("")
    .replace(/^\./, "");

/**
 * Checks a value against a document schema, failing with the first problem's path (`inputs[0].version`).
 *
 * @example
 *   parseDocument(runManifestSchema, JSON.parse(text), "s3://curated/manifests/run-1.json");
 */
export const parseDocument = <Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  uri: string,
): z.output<Schema> => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DocumentError(uri, pathOf(issue?.path ?? []), issue?.message ?? "invalid", {
    cause: parsed.error,
  });
};

/**
 * The one way to read a stored document: its JSON, checked by `schema`. Throws a `DocumentError` naming the
 * object's URI and the failing path (`s3://curated/metrics/run-1.json: sources.orders.rows_read: ...`).
 *
 * @example
 *   const metrics = await readJson(store, store.parseUri(uri), metricsSchema);
 */
export const readJson = async <Schema extends z.ZodType>(
  store: ObjectStore,
  ref: ObjectRef,
  schema: Schema,
): Promise<z.output<Schema>> => {
  const text = new TextDecoder().decode(await store.get(ref));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DocumentError(store.uri(ref), "", "not valid JSON", { cause: error });
  }
  return parseDocument(schema, value, store.uri(ref));
};

/**
 * `readJson` of a document that may not exist yet: undefined when the object is absent.
 *
 * @example
 *   const report = await readJsonIfExists(store, { bucket: "curated", key: reportKey(runId) }, qualityReportSchema);
 */
export const readJsonIfExists = async <Schema extends z.ZodType>(
  store: ObjectStore,
  ref: ObjectRef,
  schema: Schema,
): Promise<z.output<Schema> | undefined> =>
  (await store.head(ref)) ? readJson(store, ref, schema) : undefined;

/** Writes a document as pretty JSON (the one writer of stored documents). */
export const writeJson = async (store: ObjectStore, ref: ObjectRef, value: unknown): Promise<void> => {
  await store.put(ref, `${JSON.stringify(value, null, 2)}\n`, "application/json");
};
