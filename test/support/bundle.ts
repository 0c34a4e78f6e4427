import type { ContractBundle } from "../../src/contracts/index.js";
import { loadContractBundle } from "../../src/contracts/index.js";
import { BUNDLE_KEY } from "../../src/core/layout.js";
import type { ObjectStore } from "../../src/ports/object-store.js";

let cached: Promise<ContractBundle> | undefined;

/** The shipped contracts, compiled once per test file. */
export const shippedBundle = (): Promise<ContractBundle> => {
  cached ??= loadContractBundle("contracts");
  return cached;
};

/** Deploys the shipped bundle into a store's artifacts bucket. */
export const deployBundle = async (store: ObjectStore): Promise<ContractBundle> => {
  const bundle = await shippedBundle();
  await store.put({ bucket: "artifacts", key: BUNDLE_KEY }, JSON.stringify(bundle));
  return bundle;
};
