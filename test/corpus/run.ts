import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  buildBundle,
  type ContractBundle,
  compileSource,
  loadContractBundleSync,
  parseContract,
} from "../../src/contracts/index.js";
import { classifyKey, isFolderMarker, type Routed, routedFields } from "../../src/core/objects.js";
import { objectVersion } from "../../src/core/versions.js";
import type { RunManifest } from "../../src/documents/manifest.js";
import { SCHEMA_VERSION } from "../../src/documents/version.js";
import { warmProjectSpark } from "../support/spark.js";
import type { CorpusCase, Outcome } from "./cases.js";
import { contentBytes } from "./content.js";

/**
 * Drops the corpus into a raw zone, runs the real Spark job once over every routed case and observes
 * what became of each: the trigger's classification, the metrics JSON, the quarantine and curated
 * Parquet (read with DuckDB).
 */

const HERE = dirname(fileURLToPath(import.meta.url));
export const RUN_ID = "corpus-run";

/** The shipped contracts plus `corpus_parquet` (test/corpus/contracts): no shipped contract reads parquet. */
export const corpusBundle = async (projectRoot: string): Promise<ContractBundle> => {
  const shipped = loadContractBundleSync(join(projectRoot, "contracts"));
  const file = join(HERE, "contracts", "corpus_parquet.yaml");
  const extra = compileSource(parseContract(file, await readFile(file, "utf8")));
  return buildBundle({ ...shipped.sources, [extra.source]: extra });
};

/** What became of one case, in the terms of `Outcome`. */
export interface Observation {
  readonly kind: Outcome["kind"];
  readonly unroutedReason?: string;
  readonly error?: string;
  readonly curated: number;
  readonly duplicates: number;
  readonly conservationHolds?: boolean;
  readonly quarantined: readonly {
    readonly reason: string;
    readonly column: string | null;
    readonly detail: string | null;
    readonly line: number | null;
  }[];
  readonly missingColumns: readonly string[];
  readonly unexpectedColumns: readonly string[];
  /** Entity values of the first curated row (by line), as DuckDB prints them. */
  readonly firstRow?: Readonly<Record<string, string | null>>;
}

export interface CorpusRun {
  readonly observations: ReadonlyMap<string, Observation>;
  readonly metrics: SparkMetrics;
  readonly seconds: number;
}

interface FileMetrics {
  readonly uri: string;
  readonly rows_read: number;
  readonly rows_quarantined: number;
  readonly rows_curated: number;
  readonly exact_duplicates: number;
  readonly superseded: number;
  readonly missing_columns: string[];
  readonly unexpected_columns: string[];
  readonly error: string | null;
  readonly conservation_holds: boolean;
}

export interface SparkMetrics {
  readonly rejected_files: { uri: string; source: string; error: string }[];
  readonly sources: Record<string, { files: FileMetrics[]; conservation: { holds: boolean } }>;
  readonly conservation: { holds: boolean; failures: string[] };
}

const ENTITY_OF: Readonly<Record<string, string>> = {
  orders: "orders",
  order_items: "order_items",
  payments: "payments",
  customers: "customers",
  corpus_parquet: "payments",
};

/** Curated timestamps are UTC instants; DuckDB prints them with `+00` in a UTC session. */
const asText = (row: Record<string, string | null>): Record<string, string | null> =>
  Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value?.replace(/\+00$/, "") ?? null]));

/** A routed case as the run manifest lists it (a file URI under `raw/`). */
interface Dropped {
  readonly corpusCase: CorpusCase;
  readonly uri: string;
  readonly routed: Routed;
  readonly size: number;
}

const isNameTooLong = (error: unknown): boolean =>
  error instanceof Error && (error as NodeJS.ErrnoException).code === "ENAMETOOLONG";

/**
 * Classifies every case's key like the trigger, writes the routed ones under `<dir>/raw/`, runs the
 * Spark job once over them and returns each case's observation.
 *
 * @example
 *   const run = await runCorpus(CASES, await mkdtemp(...), process.cwd());
 *   run.observations.get("crlf")?.kind; // "loaded"
 */
export const runCorpus = async (
  cases: readonly CorpusCase[],
  dir: string,
  projectRoot: string,
): Promise<CorpusRun> => {
  const started = performance.now();
  const bundle = await corpusBundle(projectRoot);
  const bundleFile = join(dir, "contracts.bundle.json");
  await writeFile(bundleFile, JSON.stringify(bundle));
  const observations = new Map<string, Observation>();
  const empty = { curated: 0, duplicates: 0, quarantined: [], missingColumns: [], unexpectedColumns: [] };
  const dropped: Dropped[] = [];
  for (const corpusCase of cases) {
    if (isFolderMarker(corpusCase.key)) {
      observations.set(corpusCase.id, { kind: "ignored", ...empty });
      continue;
    }
    const routed = classifyKey(corpusCase.key, bundle);
    if (!routed.ok) {
      observations.set(corpusCase.id, { kind: "unrouted", unroutedReason: routed.reason, ...empty });
      continue;
    }
    const path = join(dir, "raw", ...corpusCase.key.split("/"));
    const bytes = await contentBytes(corpusCase.content);
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, bytes);
    } catch (error) {
      // S3 takes keys of up to 1024 bytes; a local file name stops at 255. The job rejects such a URI
      // before reading it, so the case is listed in the manifest all the same.
      if (!isNameTooLong(error)) throw error;
    }
    dropped.push({
      corpusCase,
      uri: pathToFileURL(path).href,
      routed,
      size: bytes.length,
    });
  }

  const manifestFile = join(dir, "manifest.json");
  const metricsFile = join(dir, "metrics.json");
  const uploadedAt = "2017-01-06T00:00:00.000Z";
  // The manifest as PlanBatch writes it: the trigger's classification of each key, carried as it is.
  const manifest: RunManifest = {
    schema_version: SCHEMA_VERSION,
    run_id: RUN_ID,
    started_at: "2017-01-06T01:00:00.000Z",
    contracts_uri: pathToFileURL(bundleFile).href,
    bundle_checksum: bundle.checksum,
    inputs: dropped.map((entry) => ({
      uri: entry.uri,
      key: entry.corpusCase.key,
      etag: "corpus",
      size: entry.size,
      ...routedFields(entry.routed),
      uploaded_at: uploadedAt,
      version: objectVersion(uploadedAt),
    })),
    outputs: {
      curated_uri: pathToFileURL(join(dir, "curated")).href,
      quarantine_uri: pathToFileURL(join(dir, "quarantine")).href,
      metrics_uri: pathToFileURL(metricsFile).href,
    },
  };
  await writeFile(manifestFile, JSON.stringify(manifest));
  const spark = warmProjectSpark(join(dir, "spark.log"), projectRoot);
  try {
    await spark.run({ runId: RUN_ID, manifestUri: pathToFileURL(manifestFile).href });
  } finally {
    await spark.close();
  }
  const metrics = JSON.parse(await readFile(metricsFile, "utf8")) as SparkMetrics;

  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const rows = async (sql: string): Promise<Record<string, string | null>[]> =>
    (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, string | null>[];
  const folder = (kind: "curated" | "quarantine", name: string): string =>
    join(dir, kind, name, `run_id=${RUN_ID}`, "*.parquet").replaceAll("'", "''");
  try {
    for (const entry of dropped) {
      const { corpusCase, uri } = entry;
      const { source } = entry.routed;
      const rejected = metrics.rejected_files.find((file) => file.uri === uri);
      const file = metrics.sources[source]?.files.find((candidate) => candidate.uri === uri);
      const error = rejected?.error ?? file?.error ?? undefined;
      if (error || !file) {
        observations.set(corpusCase.id, {
          kind: "rejected",
          error: error ?? "the file is missing from the metrics",
          ...empty,
        });
        continue;
      }
      const literal = uri.replaceAll("'", "''");
      const quarantined =
        file.rows_quarantined > 0
          ? await rows(
              `SELECT _reason, _reason_column, _reason_detail, CAST(_source_line AS VARCHAR) AS _source_line
               FROM read_parquet('${folder("quarantine", source)}') WHERE _source_file = '${literal}'
               ORDER BY _source_line NULLS LAST, _reason, _reason_column`,
            )
          : [];
      const entity = ENTITY_OF[source] ?? source;
      const curated =
        file.rows_curated > 0
          ? await rows(
              `SELECT COLUMNS(* EXCLUDE (_source_file))::VARCHAR FROM read_parquet('${folder("curated", entity)}')
               WHERE _source_file = '${literal}' ORDER BY _source_line LIMIT 1`,
            )
          : [];
      observations.set(corpusCase.id, {
        kind: file.rows_quarantined > 0 ? "quarantined" : "loaded",
        curated: file.rows_curated,
        duplicates: file.exact_duplicates + file.superseded,
        conservationHolds: file.conservation_holds,
        quarantined: quarantined.map((row) => ({
          reason: row._reason ?? "",
          column: row._reason_column ?? null,
          detail: row._reason_detail ?? null,
          line: row._source_line === null || row._source_line === undefined ? null : Number(row._source_line),
        })),
        missingColumns: file.missing_columns,
        unexpectedColumns: file.unexpected_columns,
        ...(curated[0] ? { firstRow: asText(curated[0]) } : {}),
      });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { observations, metrics, seconds: (performance.now() - started) / 1000 };
};

/**
 * How an observation differs from an outcome, one sentence per difference (empty when it meets it).
 *
 * @example
 *   differences({ kind: "loaded", curated: 2 }, observation); // ["curated 1, expected 2"]
 */
export const differences = (outcome: Outcome, observed: Observation): string[] => {
  const found: string[] = [];
  if (observed.kind !== outcome.kind) {
    const what = observed.unroutedReason ?? observed.error ?? JSON.stringify(observed.quarantined);
    return [`${observed.kind} (${what}), expected ${outcome.kind}`];
  }
  switch (outcome.kind) {
    case "ignored":
      break;
    case "unrouted":
      if (observed.unroutedReason !== outcome.reason)
        found.push(`unrouted as ${observed.unroutedReason}, expected ${outcome.reason}`);
      break;
    case "rejected":
      if (!outcome.message.test(observed.error ?? ""))
        found.push(`rejected with "${observed.error}", expected ${outcome.message}`);
      break;
    case "loaded":
    case "quarantined": {
      if (observed.curated !== outcome.curated)
        found.push(`curated ${observed.curated}, expected ${outcome.curated}`);
      if (observed.conservationHolds !== true) found.push("conservation does not hold for the file");
      if (outcome.missingColumns && outcome.missingColumns.join() !== observed.missingColumns.join())
        found.push(`missing columns [${observed.missingColumns}], expected [${outcome.missingColumns}]`);
      if (outcome.kind === "loaded") {
        if ((outcome.duplicates ?? 0) !== observed.duplicates)
          found.push(`duplicates ${observed.duplicates}, expected ${outcome.duplicates ?? 0}`);
        if (
          outcome.unexpectedColumns &&
          outcome.unexpectedColumns.join() !== observed.unexpectedColumns.join()
        )
          found.push(
            `unexpected columns [${observed.unexpectedColumns}], expected [${outcome.unexpectedColumns}]`,
          );
        for (const [column, value] of Object.entries(outcome.values ?? {})) {
          const actual = observed.firstRow?.[column];
          if (actual !== value)
            found.push(`first row ${column} = ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
        }
        break;
      }
      if (observed.quarantined.length !== outcome.rows.length) {
        found.push(`${observed.quarantined.length} rows quarantined, expected ${outcome.rows.length}`);
      }
      outcome.rows.forEach((row, index) => {
        const actual = observed.quarantined[index];
        const at = `quarantined row ${index + 1}`;
        if (!actual) return;
        if (actual.reason !== row.reason)
          found.push(`${at}: reason ${actual.reason}, expected ${row.reason}`);
        if (row.column !== undefined && actual.column !== row.column)
          found.push(`${at}: column ${actual.column}, expected ${row.column}`);
        if (row.line !== undefined && actual.line !== row.line)
          found.push(`${at}: line ${actual.line}, expected ${row.line}`);
        if (row.detail && !row.detail.test(actual.detail ?? ""))
          found.push(`${at}: detail "${actual.detail}", expected ${row.detail}`);
      });
      break;
    }
  }
  return found;
};
