import { loadConfig } from "../config/index.js";
import type { App, AppSource } from "./app.js";

let current: Promise<App> | undefined;

/**
 * The App of a Lambda container: assembled from the environment (AWS adapters) on first use and kept for the
 * container's life. Every deployed handler is built on it (`export const handler = build(lambdaApp)`).
 *
 * @example
 *   export const handler = buildPublish(lambdaApp);
 */
export const lambdaApp: AppSource = () => {
  if (!current) {
    current = (async () => {
      const config = loadConfig(process.env);
      // Loaded on first use: the local stage imports the handler modules but never assembles AWS adapters.
      const { assembleAws } = await import("./aws.js");
      return assembleAws(config);
    })();
    // A failed assembly (bad configuration) must fail every invocation, not be cached as a rejection forever.
    current.catch(() => {
      current = undefined;
    });
  }
  return current;
};
