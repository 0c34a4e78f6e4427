export type * from "./alerts.js";
export * from "./object-store.js";
export type * from "./spark-runner.js";
export type * from "./workflow.js";
