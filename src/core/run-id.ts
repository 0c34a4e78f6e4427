import { createHash } from "node:crypto";
import type { RunInput, RunInputObject } from "../documents/run-input.js";
import { SCHEMA_VERSION } from "../documents/version.js";

/**
 * Run ids are Step Functions execution names: at most 80 characters of letters, digits, `-`, `_`.
 * They are a pure function of the batch's objects (key, ETag and version token), so the same batch delivered
 * twice gets the same name and Step Functions refuses the second execution, while a new PUT of a key (even of
 * the same bytes) is a new version and a new run.
 */
export interface RunIdObject {
  readonly key: string;
  readonly etag: string;
  readonly version: string;
  readonly batchDate?: string | null;
}

const digest = (objects: readonly RunIdObject[], salt: string): string => {
  const lines = objects.map((object) => `${object.key}\u0000${object.etag}\u0000${object.version}`).sort();
  const hash = createHash("sha256");
  hash.update(salt);
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest("hex").slice(0, 16);
};

const dateTag = (objects: readonly RunIdObject[]): string => {
  const dates = objects.map((object) => object.batchDate).filter((date): date is string => Boolean(date));
  if (dates.length === 0) return "nodate";
  return dates.sort().at(-1)?.replaceAll("-", "") ?? "nodate";
};

/**
 * The run id of a batch: `run-<latest batch date>-<16 hex of sha256(sorted key+ETag+version)>`.
 *
 * @example
 *   runIdFor([{ key: "orders/dt=2017-01-05/o.csv", etag: "9b2c…", version: "001796591735123:…", batchDate: "2017-01-05" }]);
 *   // "run-20170105-3f2a9c1e0b7d41aa"
 */
export const runIdFor = (objects: readonly RunIdObject[]): string =>
  `run-${dateTag(objects)}-${digest(objects, "")}`;

/**
 * The run id of a replay: same shape, `replay-` prefix, salted with the replay's request time so a
 * replay is a new execution (and new load file names) while the objects stay the same.
 *
 * @example
 *   replayRunIdFor(objects, "2026-11-21T19:47:00.000Z"); // "replay-20170105-…"
 */
export const replayRunIdFor = (objects: readonly RunIdObject[], requestedAt: string): string =>
  `replay-${dateTag(objects)}-${digest(objects, `replay@${requestedAt}\n`)}`;

/**
 * The execution input of one batch: its run id (`runIdFor` for the trigger's batches; `replayRunIdFor`, salted
 * with the request time, for a replay or a scheduled run), when and why it started, and its objects.
 *
 * @example
 *   const input = runInputFor(objects, "2026-11-21T19:47:00.000Z", "s3");
 *   input.run_id; // "run-20170105-3f2a9c1e0b7d41aa"
 */
export const runInputFor = (
  inputs: RunInputObject[],
  startedAt: string,
  trigger: RunInput["trigger"],
): RunInput => {
  const objects = inputs.map((o) => ({
    key: o.key,
    etag: o.etag,
    version: o.version,
    batchDate: o.batch_date,
  }));
  const runId = trigger === "s3" ? runIdFor(objects) : replayRunIdFor(objects, startedAt);
  return { schema_version: SCHEMA_VERSION, run_id: runId, started_at: startedAt, trigger, inputs };
};
