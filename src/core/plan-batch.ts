import type { ContractBundle } from "../contracts/index.js";
import type { ManifestInput, RunManifest } from "../documents/manifest.js";
import type { RunInput, RunInputObject } from "../documents/run-input.js";
import { writeJson } from "../documents/store.js";
import { SCHEMA_VERSION } from "../documents/version.js";
import { ContractError } from "../errors.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { ContractSource, Log } from "./deps.js";
import { BUNDLE_KEY, manifestKey, metricsKey } from "./layout.js";
import { classifyKey, routedFields } from "./objects.js";
import { sparkArguments } from "./spark-job.js";

/** What PlanBatch returns into the execution state (`$.plan`). */
export interface Plan {
  readonly manifest_uri: string;
  readonly metrics_uri: string;
  readonly spark_arguments: readonly string[];
  readonly sources: readonly string[];
  readonly entities: readonly string[];
  readonly files: number;
  readonly bytes: number;
  readonly batch_dates: readonly string[];
  /**
   * Each input's URI (its rows' `_source_file`), version token and the entities its source feeds: what Merge
   * records in `core.source_objects` so that the newest version of a file wins (docs/semantics.md, "Raw zone").
   */
  readonly objects: readonly PlannedObject[];
}

/** One raw object of a run, as Merge needs it. */
export interface PlannedObject {
  readonly source_file: string;
  readonly version: string;
  readonly entities: readonly string[];
}

/**
 * The classification of a run input's key: the one the trigger (or replay) made and the input carries, checked
 * against the deployed contracts only for still accepting the file's format. An input written before inputs
 * carried `format` is classified here, as PlanBatch always did.
 */
const classificationOf = (
  object: RunInputObject,
  bundle: ContractBundle,
): Pick<ManifestInput, "source" | "format" | "compression" | "batch_date"> => {
  if (object.format === undefined) {
    const routed = classifyKey(object.key, bundle);
    if (!routed.ok) throw new ContractError(object.key, "", `${routed.reason}: ${routed.detail}`);
    return routedFields(routed);
  }
  const contract = bundle.sources[object.source];
  if (!contract?.formats.includes(object.format)) {
    throw new ContractError(
      object.key,
      "",
      contract
        ? `unsupported_format: the contract of ${object.source} no longer accepts ${object.format} files`
        : `unknown_source: no contract named "${object.source}"`,
    );
  }
  return {
    source: object.source,
    format: object.format,
    compression: object.compression ?? null,
    batch_date: object.batch_date,
  };
};

/**
 * Writes the run manifest the Spark job reads, from the run input's classified objects. An input whose source
 * the contracts no longer accept fails the run (`ContractError`): the trigger already routes unaccepted
 * objects aside, so reaching here means the contracts changed under a replay.
 *
 * @example
 *   const plan = await planBatch(input, { store, contracts, log });
 *   plan.spark_arguments; // ["--manifest", "s3://…/manifests/run-….json"]
 */
export const planBatch = async (
  input: RunInput,
  deps: { readonly store: ObjectStore; readonly contracts: ContractSource; readonly log: Log },
): Promise<Plan> => {
  const bundle = await deps.contracts.get();
  const inputs = input.inputs.map((object) => {
    const { source, format, compression, batch_date } = classificationOf(object, bundle);
    return {
      uri: deps.store.uri({ bucket: "raw", key: object.key }),
      source,
      key: object.key,
      etag: object.etag,
      size: object.size,
      format,
      compression,
      batch_date,
      uploaded_at: object.uploaded_at,
      version: object.version,
    };
  });
  const metricsUri = deps.store.uri({ bucket: "curated", key: metricsKey(input.run_id) });
  const manifest: RunManifest = {
    schema_version: SCHEMA_VERSION,
    run_id: input.run_id,
    started_at: input.started_at,
    contracts_uri: deps.store.uri({ bucket: "artifacts", key: BUNDLE_KEY }),
    bundle_checksum: bundle.checksum,
    inputs,
    outputs: {
      curated_uri: deps.store.uri({ bucket: "curated", key: "curated/" }),
      quarantine_uri: deps.store.uri({ bucket: "curated", key: "quarantine/" }),
      metrics_uri: metricsUri,
    },
  };
  const ref = { bucket: "curated", key: manifestKey(input.run_id) } as const;
  await writeJson(deps.store, ref, manifest);
  const manifestUri = deps.store.uri(ref);
  const sources = [...new Set(inputs.map((i) => i.source))].sort();
  const entitiesOf = (source: string): string[] =>
    [...new Set((bundle.sources[source]?.feeds ?? []).map((feed) => feed.entity))].sort();
  const entities = [...new Set(sources.flatMap(entitiesOf))].sort();
  const plan: Plan = {
    manifest_uri: manifestUri,
    metrics_uri: metricsUri,
    spark_arguments: sparkArguments(manifestUri),
    sources,
    entities,
    files: inputs.length,
    bytes: inputs.reduce((sum, i) => sum + i.size, 0),
    batch_dates: [...new Set(inputs.map((i) => i.batch_date).filter((d): d is string => d !== null))].sort(),
    objects: inputs.map((i) => ({ source_file: i.uri, version: i.version, entities: entitiesOf(i.source) })),
  };
  deps.log.info("planned run", { run_id: input.run_id, files: plan.files, sources: plan.sources });
  return plan;
};
