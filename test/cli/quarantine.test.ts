import { cp, mkdir, readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../src/adapters/aws/s3-object-store.js";
import { LocalObjectStore } from "../../src/adapters/local/local-object-store.js";
import { readQuarantine, renderQuarantine } from "../../src/cli/commands/quarantine.js";
import { quarantineFiles } from "../../src/core/quarantined-rows.js";
import { memoryS3 } from "../support/memory-s3.js";
import { useTempDir } from "../support/temp.js";

/**
 * Quarantine Parquet written by the real Spark job in a local demo run (run-20170130-…: 2 orders rows of bad
 * timestamps, 2 payments rows (a malformed line, an unknown payment type), 1 customers row without its key).
 */
const FIXTURES = join(import.meta.dirname, "../events/quarantine");
const RUN = "run-20170130-146844695018ccb9";
const OLD_RUN = "run-20161231-0000000000000000";
const tempDir = useTempDir();

/** The fixture files, by key under the curated bucket. */
const fixtureKeys = async (): Promise<string[]> => {
  const keys: string[] = [];
  for (const source of await readdir(FIXTURES)) {
    for (const run of await readdir(join(FIXTURES, source))) {
      for (const file of await readdir(join(FIXTURES, source, run)))
        keys.push(`quarantine/${source}/${run}/${file}`);
    }
  }
  return keys.sort();
};

/**
 * Copies a fixture with its `_source_file` pointing into `rawBase` (where a run of that stage read it), optionally
 * without `_reason_detail` (as Parquet written before the column existed) and under another run id.
 */
const rewrite = async (
  from: string,
  to: string,
  options: { rawBase: string; dropDetail?: boolean; runId?: string },
): Promise<void> => {
  await mkdir(dirname(to), { recursive: true });
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const exclude = options.dropDetail ? "EXCLUDE (_reason_detail) " : "";
  const run = options.runId ? `, '${options.runId}' AS _run_id, '${options.runId}' AS run_id` : "";
  await connection.run(
    `COPY (SELECT * ${exclude}REPLACE ('${options.rawBase}' || regexp_extract(_source_file, 'buckets/raw/(.*)$', 1) AS _source_file${run}) FROM read_parquet('${from}')) TO '${to}' (FORMAT PARQUET)`,
  );
  connection.closeSync();
  db.closeSync();
};

/** A local stage holding the fixtures, an older run's orders file without `_reason_detail`, and held output. */
const localStage = async (): Promise<LocalObjectStore> => {
  const root = await tempDir();
  const curated = join(root, "buckets", "curated");
  const rawBase = `${pathToFileURL(join(root, "buckets", "raw")).href}/`;
  for (const key of await fixtureKeys()) {
    await rewrite(join(FIXTURES, key.slice("quarantine/".length)), join(curated, key), { rawBase });
  }
  const orders = (await fixtureKeys()).find((key) => key.startsWith("quarantine/orders/")) as string;
  await rewrite(
    join(FIXTURES, orders.slice("quarantine/".length)),
    join(curated, "quarantine", "orders", `run_id=${OLD_RUN}`, "part-00000.snappy.parquet"),
    { rawBase, dropDetail: true, runId: OLD_RUN },
  );
  // A stopped run's curated output: not quarantined rows of a source, never listed.
  await mkdir(join(curated, "quarantine", "_held", `run_id=${RUN}`, "orders"), { recursive: true });
  await cp(
    join(FIXTURES, orders.slice("quarantine/".length)),
    join(curated, "quarantine", "_held", `run_id=${RUN}`, "orders", "part-00000.snappy.parquet"),
  );
  return new LocalObjectStore(root);
};

const ORDER_47 = {
  run_id: RUN,
  source: "orders",
  file: "orders/dt=2017-01-30/orders-2017-01-30.csv",
  line: 47,
  reason: "invalid_type",
  reason_column: "order_purchase_timestamp",
  reason_detail: "not a timestamp in the format yyyy-MM-dd HH:mm:ss",
  values: {
    order_id: "653f95bebdf20ee3062ebfcc8a812195",
    customer_id: "cb11d438352db2dc18b47980aef0820a",
    order_status: "delivered",
    order_purchase_timestamp: "2017-13-05 10:11:12",
    order_approved_at: "2017-01-30 08:08:31",
    order_delivered_carrier_date: "2017-02-01 08:08:31",
    order_delivered_customer_date: "2017-02-04 06:08:31",
    order_estimated_delivery_date: "2017-02-18 00:00:00",
  },
};

describe("pipeline quarantine on a local stage (real Spark quarantine Parquet)", () => {
  it("lists the row-quarantine files of a run, skipping held output", async () => {
    const store = await localStage();
    const files = await quarantineFiles(store, { runId: RUN });
    expect(files.map((file) => [file.source, file.runId])).toEqual([
      ["customers", RUN],
      ["orders", RUN],
      ["payments", RUN],
    ]);
  });

  it("prints every quarantined row of a run with file, line, reason, column, detail and its own raw values", async () => {
    const store = await localStage();
    const listing = await readQuarantine(store, { runId: RUN, limit: 50 });
    expect(listing.matched).toBe(5);
    expect(
      listing.rows.map((row) => [row.source, row.line, row.reason, row.reason_column, row.reason_detail]),
    ).toEqual([
      ["customers", 27, "missing_required", "customer_unique_id", null],
      [
        "orders",
        47,
        "invalid_type",
        "order_purchase_timestamp",
        "not a timestamp in the format yyyy-MM-dd HH:mm:ss",
      ],
      [
        "orders",
        70,
        "invalid_type",
        "order_approved_at",
        "not a timestamp in the format yyyy-MM-dd HH:mm:ss",
      ],
      ["payments", 95, "malformed_row", null, "wrong number of fields for the header"],
      ["payments", 96, "rule_violation", "payment_type", "rule accepted_values_payment_type"],
    ]);
    expect(listing.rows[1]).toEqual(ORDER_47);
    // A line that could not be split keeps its raw text; its columns are null.
    expect(listing.rows[3]?.values).toEqual({
      order_id: null,
      payment_sequential: null,
      payment_type: null,
      payment_installments: null,
      payment_value: null,
      _raw_record: "bd35f4646e94c6d6d6e7ff564482aaf0,1,boleto,1",
    });
  });

  it("filters by source and reason, and reads older Parquet without _reason_detail", async () => {
    const store = await localStage();
    const listing = await readQuarantine(store, { source: "orders", reason: "invalid_type", limit: 3 });
    expect(listing.matched).toBe(4);
    expect(listing.rows.map((row) => [row.run_id, row.line, row.reason_detail])).toEqual([
      [OLD_RUN, 47, null],
      [OLD_RUN, 70, null],
      [RUN, 47, "not a timestamp in the format yyyy-MM-dd HH:mm:ss"],
    ]);
    const text = renderQuarantine(listing, { source: "orders", reason: "invalid_type", limit: 3 });
    expect(text.split("\n").slice(-4)).toEqual([
      `${RUN}  orders/dt=2017-01-30/orders-2017-01-30.csv  47    invalid_type  order_purchase_timestamp  not a timestamp in the format yyyy-MM-dd HH:mm:ss`,
      '    order_id="653f95bebdf20ee3062ebfcc8a812195" customer_id="cb11d438352db2dc18b47980aef0820a" order_status="delivered" order_purchase_timestamp="2017-13-05 10:11:12" order_approved_at="2017-01-30 08:08:31" order_delivered_carrier_date="2017-02-01 08:08:31" order_delivered_customer_date="2017-02-04 06:08:31" order_estimated_delivery_date="2017-02-18 00:00:00"',
      "(3 of 4 matching rows shown (--limit 3))",
      "",
    ]);
  });

  it("says so when nothing matches", async () => {
    const store = await localStage();
    const query = { runId: RUN, reason: "too_long", limit: 50 };
    const listing = await readQuarantine(store, query);
    expect(renderQuarantine(listing, query)).toBe(
      `no quarantined rows for run ${RUN}, reason too_long (3 quarantine files read)\n`,
    );
  });
});

describe("pipeline quarantine on dev/prod: the same code through the S3 adapter", () => {
  const s3 = memoryS3();
  afterAll(() => {
    s3.mock.restore();
  });

  it("reads the quarantine Parquet from the curated bucket and names files by their raw key", async () => {
    const buckets = {
      raw: "sales-dev-raw",
      curated: "sales-dev-curated",
      load: "sales-dev-load",
      artifacts: "sales-dev-artifacts",
    };
    const store = new S3ObjectStore(new S3Client({ region: "eu-west-1" }), buckets);
    const staged = await tempDir();
    for (const key of await fixtureKeys()) {
      const local = join(staged, key);
      await rewrite(join(FIXTURES, key.slice("quarantine/".length)), local, {
        rawBase: `s3://${buckets.raw}/`,
      });
      await store.put({ bucket: "curated", key }, await readFile(local));
    }
    const listing = await readQuarantine(store, { runId: RUN, source: "orders", limit: 1 });
    expect(listing).toEqual({ rows: [ORDER_47], matched: 2, files: 1 });
  });
});
