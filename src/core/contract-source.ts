import type { z } from "zod";
import type { ContractBundle } from "../contracts/index.js";
import { ContractError, NotFoundError, ValidationError } from "../errors.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { ContractSource } from "./deps.js";
import { BUNDLE_KEY } from "./layout.js";

/**
 * Reads the compiled contract bundle from the artifacts bucket, re-reading it only when its ETag
 * changes (one HEAD per use; a warm Lambda keeps the parsed bundle).
 *
 * @example
 *   const contracts = new StoredContracts(store);
 *   (await contracts.get()).sources.orders.extensions; // [".csv", ".csv.gz", …]
 */
export class StoredContracts implements ContractSource {
  private cached: { etag: string; bundle: ContractBundle } | undefined;

  constructor(private readonly store: ObjectStore) {}

  async get(): Promise<ContractBundle> {
    const ref = { bucket: "artifacts", key: BUNDLE_KEY } as const;
    const head = await this.store.head(ref);
    if (!head) throw new NotFoundError(`no contract bundle at ${this.store.uri(ref)}; deploy the contracts`);
    if (this.cached?.etag === head.etag) return this.cached.bundle;
    const text = new TextDecoder().decode(await this.store.get(ref));
    let bundle: ContractBundle;
    try {
      bundle = JSON.parse(text) as ContractBundle;
    } catch (error) {
      throw new ContractError(this.store.uri(ref), "", "not valid JSON", { cause: error });
    }
    if (bundle.bundle_version !== 1 || typeof bundle.sources !== "object") {
      throw new ContractError(this.store.uri(ref), "bundle_version", "not a version-1 contract bundle");
    }
    this.cached = { etag: head.etag, bundle };
    return bundle;
  }
}

/** JSON of an object in the store. */
export const readJson = async <T>(store: ObjectStore, ref: Parameters<ObjectStore["get"]>[0]): Promise<T> =>
  JSON.parse(new TextDecoder().decode(await store.get(ref))) as T;

/**
 * JSON of an object in the store, validated by `schema`. Throws a `ValidationError` naming the object, the
 * path inside it and what is wrong.
 *
 * @example
 *   const metrics = await readValidatedJson(store, store.parseUri(uri), metricsSchema, "metrics");
 */
export const readValidatedJson = async <Schema extends z.ZodType>(
  store: ObjectStore,
  ref: Parameters<ObjectStore["get"]>[0],
  schema: Schema,
  what: string,
): Promise<z.infer<Schema>> => {
  const parsed = schema.safeParse(await readJson<unknown>(store, ref));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `${what} ${store.uri(ref)}: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
};

/** Writes a value as pretty JSON. */
export const writeJson = async (
  store: ObjectStore,
  ref: Parameters<ObjectStore["put"]>[0],
  value: unknown,
): Promise<void> => {
  await store.put(ref, `${JSON.stringify(value, null, 2)}\n`, "application/json");
};
