import type { ContractBundle } from "../contracts/index.js";
import { bundleSchema } from "../documents/bundle.js";
import { DocumentError, readJson } from "../documents/store.js";
import { ContractError, NotFoundError } from "../errors.js";
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
    let bundle: ContractBundle;
    try {
      bundle = await readJson(this.store, ref, bundleSchema);
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      throw new ContractError(error.uri, error.path, error.problem, { cause: error });
    }
    this.cached = { etag: head.etag, bundle };
    return bundle;
  }
}
