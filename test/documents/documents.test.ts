import { readFileSync } from "node:fs";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../src/adapters/aws/s3-object-store.js";
import { LocalObjectStore } from "../../src/adapters/local/local-object-store.js";
import { buildBundle, type ContractBundle, compileSource, readContracts } from "../../src/contracts/index.js";
import { classifyKey, routedFields } from "../../src/core/objects.js";
import { planBatch } from "../../src/core/plan-batch.js";
import { recordRun } from "../../src/core/record-run.js";
import { replayRunIdFor, runIdFor } from "../../src/core/run-id.js";
import { recordRunInputSchema } from "../../src/core/task-inputs.js";
import {
  bundleSchema,
  DocumentError,
  metricsSchema,
  RUN_ID_PATTERN,
  type RunInputObject,
  readJson,
  runManifestSchema,
  writeJson,
} from "../../src/documents/index.js";
import {
  DOCUMENTS,
  type DocumentName,
  JSON_SCHEMA_FOLDER,
  jsonSchemaText,
} from "../../src/documents/json-schema.js";
import { MemoryLog } from "../support/fakes.js";
import { memoryS3 } from "../support/memory-s3.js";
import { useTempDir } from "../support/temp.js";

const tempDir = useTempDir();
const RUN = "run-20170105-0123456789abcdef";
const json = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

describe("the exported JSON Schemas (what the Spark job validates against)", () => {
  it.each(Object.keys(DOCUMENTS) as DocumentName[])(
    "%s.json is current (make schemas rewrites them)",
    (name) => {
      expect(readFileSync(`${JSON_SCHEMA_FOLDER}/${name}.json`, "utf8")).toBe(jsonSchemaText(name));
    },
  );

  it("give Python the one run-id rule", () => {
    const manifest = json(`${JSON_SCHEMA_FOLDER}/manifest.json`) as {
      properties: { run_id: { pattern: string } };
    };
    expect(manifest.properties.run_id.pattern).toBe(RUN_ID_PATTERN.source);
  });
});

describe("the run-id rule", () => {
  it("accepts every run id the pipeline makes and refuses what is no execution name or SQL-safe literal", () => {
    const objects = [
      { key: "orders/dt=2017-01-05/o.csv", etag: "e", version: "001796591735123:", batchDate: "2017-01-05" },
    ];
    for (const id of [
      runIdFor(objects),
      replayRunIdFor(objects, "2026-12-06T02:00:00.000Z"),
      "a".repeat(80),
    ]) {
      expect(RUN_ID_PATTERN.test(id), id).toBe(true);
    }
    for (const id of ["", "-run", "_run", "run.1", "run=1", "x'; DROP", "a".repeat(81)]) {
      expect(RUN_ID_PATTERN.test(id), id).toBe(false);
    }
  });
});

describe("readJson(store, ref, schema)", () => {
  const metrics = { run_id: RUN, sources: { orders: { files: [], rows_read: 3, rows_quarantined: 0 } } };

  it("returns the document as its schema parses it; an absent schema_version reads as version 1", async () => {
    const store = new LocalObjectStore(await tempDir());
    const ref = { bucket: "curated", key: `metrics/${RUN}.json` } as const;
    await writeJson(store, ref, metrics);
    const read = await readJson(store, ref, metricsSchema);
    expect(read.schema_version).toBeUndefined();
    expect(read.sources.orders?.batch_dates).toEqual([]);
  });

  it.each([
    [
      "a wrong type",
      { ...metrics, sources: { orders: { files: [], rows_read: "3", rows_quarantined: 0 } } },
      "sources.orders.rows_read",
    ],
    ["a newer schema version", { ...metrics, schema_version: 2 }, "schema_version"],
    ["a missing field", { sources: {} }, "run_id"],
  ])("fails loudly on %s, naming the object's URI and the path", async (_, document, path) => {
    const store = new LocalObjectStore(await tempDir());
    const ref = { bucket: "curated", key: `metrics/${RUN}.json` } as const;
    await writeJson(store, ref, document);
    const failure = readJson(store, ref, metricsSchema);
    await expect(failure).rejects.toThrow(DocumentError);
    await expect(failure).rejects.toThrow(`${store.uri(ref)}: ${path}: `);
  });

  it("fails loudly on bytes that are not JSON", async () => {
    const store = new LocalObjectStore(await tempDir());
    const ref = { bucket: "curated", key: `metrics/${RUN}.json` } as const;
    await store.put(ref, "{ not json");
    await expect(readJson(store, ref, metricsSchema)).rejects.toThrow(
      `${store.uri(ref)}: (root): not valid JSON`,
    );
  });
});

describe("the documents' writers and readers agree", () => {
  it("every bundle the contract compiler builds (shipped and example contracts) parses as the bundle document", () => {
    const contracts = [...readContracts("contracts"), ...readContracts("examples/contracts")];
    const bundle = buildBundle(
      Object.fromEntries(contracts.map(({ contract }) => [contract.source, compileSource(contract)])),
    );
    expect(bundleSchema.safeParse(bundle).error).toBeUndefined();
    expect(bundleSchema.safeParse(json(".build/contracts.bundle.json")).error).toBeUndefined();
  });

  it("the metrics the Spark job wrote (a recorded sample) parse as the metrics document", () => {
    const sample = json("test/events/spark/metrics-run-20170104-4331c40687129753.json");
    expect(metricsSchema.safeParse(sample).error).toBeUndefined();
  });

  it("the execution state the state machine hands RecordRun parses as RecordRun's typed input", () => {
    const event = json("test/events/stepfunctions/record-run-succeeded.json");
    const parsed = recordRunInputSchema.parse(event);
    expect(parsed.execution.run_id).toMatch(RUN_ID_PATTERN);
  });
});

describe("the run manifest PlanBatch writes", () => {
  const s3 = memoryS3();
  afterAll(() => s3.mock.restore());
  const bundle = json(".build/contracts.bundle.json") as ContractBundle;
  const names = { raw: "raw", curated: "curated", load: "load", artifacts: "artifacts" };
  const store = new S3ObjectStore(new S3Client({ region: "eu-west-1" }), names);
  const contracts = { get: async () => ({ ...bundle, checksum: "sample" }) };
  /** A run input object as the trigger writes it: the key classified once (routedFields). */
  const object = (key: string): RunInputObject => {
    const routed = classifyKey(key, bundle);
    if (!routed.ok) throw new Error(routed.detail);
    return {
      bucket: names.raw,
      key,
      etag: "0123456789abcdef0123456789abcdef",
      size: 1234,
      ...routedFields(routed),
      uploaded_at: "2017-01-05T02:00:00.000Z",
      version: "001483581600000:0062F7A5B8C4D1E2F3000000000000AB",
    };
  };
  const manifestOf = async (inputs: RunInputObject[]) => {
    const input = { run_id: RUN, started_at: "2017-01-05T02:01:00.000Z", trigger: "s3" as const, inputs };
    const plan = await planBatch(input, { store, contracts, log: new MemoryLog() });
    return readJson(store, store.parseUri(plan.manifest_uri), runManifestSchema);
  };

  it("is the recorded sample the Spark tests read (test/events/spark/manifest.json), and parses as a manifest", async () => {
    const written = await manifestOf([
      object("orders/dt=2017-01-05/orders.csv.gz"),
      object("payments/dt=2017-01-05/payments.jsonl"),
    ]);
    // `vitest run -u` rewrites the sample after a deliberate change; spark/tests/test_documents.py reads it.
    await expect(`${JSON.stringify(written, null, 2)}\n`).toMatchFileSnapshot(
      "../events/spark/manifest.json",
    );
  });

  it("carries the trigger's classification as it is, without classifying the key again", async () => {
    const classified = { ...object("orders/dt=2017-01-05/orders.csv.gz"), batch_date: "2017-01-04" };
    const [input] = (await manifestOf([classified])).inputs;
    expect(input).toMatchObject({
      source: "orders",
      format: "csv",
      compression: "gzip",
      batch_date: "2017-01-04",
    });
  });

  it("classifies the keys of a run input written before inputs carried their format, as before", async () => {
    const { format: _, compression: __, ...older } = object("payments/dt=2017-01-05/payments.jsonl.gz");
    const [input] = (await manifestOf([older])).inputs;
    expect(input).toMatchObject({ format: "jsonl", compression: "gzip", batch_date: "2017-01-05" });
  });

  it("fails the run when the contracts no longer accept a file's format (they changed under a replay)", async () => {
    const parquet = { ...object("orders/dt=2017-01-05/orders.csv"), format: "parquet" as const };
    await expect(manifestOf([parquet])).rejects.toThrow(
      /unsupported_format: the contract of orders no longer accepts parquet/,
    );
  });
});

describe("RecordRun", () => {
  it("fails loudly on metrics it cannot read (it used to record the run without them)", async () => {
    const store = new LocalObjectStore(await tempDir());
    const ref = { bucket: "curated", key: `metrics/${RUN}.json` } as const;
    await writeJson(store, ref, { run_id: RUN, sources: { orders: { rows_read: -1 } } });
    const execution = {
      run_id: RUN,
      started_at: "2017-01-05T02:01:00.000Z",
      plan: { metrics_uri: store.uri(ref), sources: ["orders"], files: 1 },
    };
    const deps = {
      store,
      warehouse: { recordRun: async () => undefined },
      log: new MemoryLog(),
      now: () => new Date(),
    };
    await expect(recordRun({ status: "succeeded", execution }, deps)).rejects.toThrow(
      `${store.uri(ref)}: sources.orders.files: `,
    );
  });
});
