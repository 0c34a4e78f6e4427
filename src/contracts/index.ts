export * from "./entities.js";
export {
  buildBundle,
  compileSource,
  loadContractBundle,
  loadContractBundleSync,
  parseContract,
} from "./load.js";
export * from "./schema.js";
export * from "./types.js";
