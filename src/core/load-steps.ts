import { metricsSchema } from "../documents/metrics.js";
import { readJson } from "../documents/store.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { CheckReport, CheckResult, ExpectedLoad, LoadedObject, Warehouse } from "../ports/warehouse.js";
import { loadProgress } from "../warehouse/load-progress.js";
import type { Log } from "./deps.js";
import { LoadFailedError, VerificationError } from "./errors.js";
import { loadPrefix } from "./layout.js";
import type { PlannedObject } from "./plan-batch.js";

export interface LoadProgress {
  /** Polls so far, this one included (the state machine bounds it). */
  readonly attempt: number;
  readonly done: boolean;
  readonly files: number;
  readonly loaded: number;
  readonly pending: number;
  readonly rows_loaded: number;
  /** How long the Wait state pauses before the next poll: quick at first, backing off. */
  readonly wait_seconds: number;
}

/** 1, 2, 4, 8, … seconds, capped. */
export const backoffSeconds = (attempt: number, maxSeconds: number): number =>
  Math.max(1, Math.min(maxSeconds, 2 ** Math.max(0, attempt - 1)));

/**
 * Asks the warehouse's load history (SYS_COPY_JOB_DETAIL in Redshift) whether auto-copy has loaded
 * every file the run published. A file that failed to load fails the run: auto-copy skips a failed
 * file name forever, so waiting longer cannot help.
 *
 * @example
 *   const progress = await awaitLoad({ run_id, entities: ["orders"], attempt: 0 }, deps);
 *   progress.done; // true once every published file is loaded
 */
export const awaitLoad = async (
  input: { readonly run_id: string; readonly entities: readonly string[]; readonly attempt: number },
  deps: {
    readonly store: ObjectStore;
    readonly warehouse: Pick<Warehouse, "loadHistory">;
    readonly log: Log;
    readonly maxWaitSeconds: number;
  },
): Promise<LoadProgress> => {
  const published: string[] = [];
  for (const entity of input.entities) {
    for (const object of await deps.store.list("load", loadPrefix(entity, input.run_id)))
      published.push(object.key);
  }
  const history = await deps.warehouse.loadHistory(input.run_id);
  const status = loadProgress(history, published);
  if (status.failed.length > 0) {
    throw new LoadFailedError(
      `${status.failed.length} published file(s) failed to load and will not be retried by auto-copy: ${status.failed
        .slice(0, 5)
        .map((file) => file.key)
        .join(", ")}`,
    );
  }
  const rowsByKey = new Map<string, number>();
  for (const file of history.files) {
    if (file.status === "loaded") rowsByKey.set(file.key, file.rows ?? 0);
  }
  const attempt = input.attempt + 1;
  const progress: LoadProgress = {
    attempt,
    done: status.complete,
    files: published.length,
    loaded: status.loaded.length,
    pending: published.length - status.loaded.length,
    rows_loaded: status.loaded.reduce((sum, key) => sum + (rowsByKey.get(key) ?? 0), 0),
    wait_seconds: backoffSeconds(attempt, deps.maxWaitSeconds),
  };
  deps.log.info("load progress", { run_id: input.run_id, ...progress });
  return progress;
};

/**
 * The (file, entity, version) triples a merge records: each raw object of the run for each entity its source
 * feeds that the run published. A file of a source the gate stopped publishes nothing, so its older version stays.
 *
 * @example
 *   loadedObjects(["orders"], [{ source_file: "s3://raw/orders/dt=2017-01-05/o.csv", version: "…", entities: ["orders"] }]);
 *   // [{ sourceFile: "s3://raw/orders/dt=2017-01-05/o.csv", entity: "orders", version: "…" }]
 */
export const loadedObjects = (
  published: readonly string[],
  objects: readonly PlannedObject[],
): LoadedObject[] => {
  const entities = new Set(published);
  return objects.flatMap((object) =>
    object.entities
      .filter((entity) => entities.has(entity))
      .map((entity) => ({ sourceFile: object.source_file, entity, version: object.version })),
  );
};

/**
 * Merges the run from staging into core and the star schema (one transaction in the warehouse); the newest
 * version of each raw file wins (docs/semantics.md, "Raw zone").
 *
 * @example
 *   await mergeRun({ run_id, entities: ["orders"], objects: plan.objects }, deps); // { statements: 40, rows_by_entity: { orders: 117 } }
 */
export const mergeRun = async (
  input: {
    readonly run_id: string;
    readonly entities: readonly string[];
    readonly objects: readonly PlannedObject[];
  },
  deps: { readonly warehouse: Pick<Warehouse, "merge">; readonly log: Log },
): Promise<{ statements: number; seconds: number; rows_by_entity: Record<string, number> }> => {
  const report = await deps.warehouse.merge(input.run_id, loadedObjects(input.entities, input.objects));
  deps.log.info("merged run", { run_id: input.run_id, rows_by_entity: report.rowsByEntity });
  return {
    statements: report.statements,
    seconds: report.seconds,
    rows_by_entity: { ...report.rowsByEntity },
  };
};

const summarize = (results: readonly CheckResult[]): string =>
  results
    .slice(0, 8)
    .map((r) => `${r.check} ${r.subject}: observed ${r.observed}, expected ${r.expected}`)
    .join("; ");

/**
 * Post-load verification: reconciles what the warehouse loaded for the run with what Spark curated
 * (rows and money sums per published entity), and checks orphans, SCD2 windows and grain keys. A
 * `fail` stops the run (`VerificationError`); `warn` results (unknown members) are reported.
 *
 * @example
 *   const verdict = await verifyLoad({ run_id, entities: ["orders"], metrics_uri }, deps);
 *   verdict.status; // "pass" | "warn"
 */
export const verifyLoad = async (
  input: { readonly run_id: string; readonly entities: readonly string[]; readonly metrics_uri: string },
  deps: { readonly store: ObjectStore; readonly warehouse: Pick<Warehouse, "runChecks">; readonly log: Log },
): Promise<{ status: CheckReport["status"]; checks: number; warnings: readonly CheckResult[] }> => {
  const metrics = await readJson(deps.store, deps.store.parseUri(input.metrics_uri), metricsSchema);
  const expected: ExpectedLoad = {
    entities: Object.fromEntries(
      input.entities.map((entity) => [
        entity,
        {
          rows_curated: metrics.entities[entity]?.rows_curated ?? 0,
          sums: { ...(metrics.entities[entity]?.sums ?? {}) },
        },
      ]),
    ),
  };
  const report = await deps.warehouse.runChecks(input.run_id, expected);
  const failures = report.results.filter((r) => r.status === "fail");
  if (failures.length > 0) {
    throw new VerificationError(`${failures.length} post-load check(s) failed: ${summarize(failures)}`);
  }
  const warnings = report.results.filter((r) => r.status === "warn");
  deps.log.info("post-load checks", {
    run_id: input.run_id,
    status: report.status,
    warnings: warnings.length,
  });
  return { status: report.status, checks: report.results.length, warnings };
};
