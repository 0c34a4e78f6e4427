export * from "./entities.js";
export { checkFeedExpressions, type ExpressionProblem } from "./expression-check.js";
export * from "./file-formats.js";
export {
  buildBundle,
  compileSource,
  loadContractBundle,
  loadContractBundleSync,
  parseContract,
  readContracts,
} from "./load.js";
export * from "./schema.js";
export * from "./types.js";
