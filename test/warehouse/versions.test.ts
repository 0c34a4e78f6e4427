import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDbWarehouse } from "../../src/adapters/local/duckdb-warehouse.js";
import { curatedColumns, ENTITIES } from "../../src/contracts/entities.js";
import type { LoadedObject } from "../../src/ports/warehouse.js";
import { type CuratedRun, DUCKDB_TYPE, INGESTED_AT, publish, testVersion } from "./support/curated-runs.js";
import { starSnapshot } from "./support/star.js";
import { LOCAL_SETTINGS, openWarehouse, tempDir } from "./support/warehouse.js";

/**
 * Versioned raw objects, latest wins (docs/semantics.md, "Raw zone"): a raw file's identity is its key, and a newer
 * version supersedes every row of the older ones, including rows it no longer has. Spark reads a key's current
 * bytes, so the run of a version's event may hold that version or any later one; runs merge in any order, some
 * twice, and a replay comes with a newer token. Whatever the interleaving, the star must equal the star of loading
 * only the latest version of each file. Files overlap on natural keys (two orders files, two payments files, two
 * customers files), versions drop rows, and a file's last version may be its first version's bytes put again.
 */

type Row = Record<string, string | number | null>;

/** The raw files of the scenarios: entity and URI (the rows' `_source_file`). */
const FILES = [
  { entity: "orders", uri: "s3://raw/orders/dt=2017-01-05/orders-a.csv" },
  { entity: "orders", uri: "s3://raw/orders/dt=2017-01-06/orders-b.csv" },
  { entity: "order_items", uri: "s3://raw/order_items/dt=2017-01-05/items.csv" },
  { entity: "payments", uri: "s3://raw/payments/dt=2017-01-05/payments-a.jsonl" },
  { entity: "payments", uri: "s3://raw/payments/dt=2017-01-06/payments-b.jsonl" },
  { entity: "customers", uri: "s3://raw/customers/dt=2017-01-05/customers-a.csv" },
  { entity: "customers", uri: "s3://raw/customers/dt=2017-01-06/customers-b.csv" },
  { entity: "products", uri: "s3://raw/products/dt=2017-01-05/products.csv" },
] as const;

const at = (day: number, hour = 0) => `2017-01-0${day} ${String(hour).padStart(2, "0")}:00:00`;

/** One candidate row per entity, keyed so that versions and files collide on natural keys. */
const rowArb: Record<string, fc.Arbitrary<Row>> = {
  orders: fc.record({
    order_id: fc.constantFrom("o1", "o2", "o3"),
    customer_id: fc.constantFrom("c1", "c2", "c3"),
    status: fc.constantFrom("delivered", "shipped", "canceled"),
    purchased_at: fc.constantFrom(at(2, 10), at(4, 9)),
    approved_at: fc.constant(null),
    delivered_carrier_at: fc.constant(null),
    delivered_customer_at: fc.constantFrom(null, at(8, 12)),
    estimated_delivery_at: fc.constant(at(7)),
    effective_at: fc.constantFrom(at(5), at(6)),
  }),
  order_items: fc.record({
    order_id: fc.constantFrom("o1", "o2", "o3"),
    order_item_id: fc.constantFrom(1, 2),
    product_id: fc.constantFrom("p1", "p2"),
    seller_id: fc.constant("s1"),
    shipping_limit_at: fc.constant(null),
    quantity: fc.constantFrom(1, 2),
    unit_price: fc.constantFrom("10.00", "12.50"),
    freight_value: fc.constant("1.00"),
    effective_at: fc.constantFrom(at(5), at(6)),
  }),
  payments: fc.record({
    order_id: fc.constantFrom("o1", "o2", "o3"),
    payment_sequential: fc.constantFrom(1, 2),
    payment_type: fc.constantFrom("credit_card", "boleto", "voucher"),
    installments: fc.constant(1),
    payment_value: fc.constantFrom("10.00", "20.00"),
    effective_at: fc.constantFrom(at(5), at(6)),
  }),
  customers: fc
    .record({
      customer_id: fc.constantFrom("c1", "c2", "c3"),
      zip_code_prefix: fc.constant("01001"),
      city: fc.constantFrom("sao paulo", "campinas"),
      state: fc.constant("SP"),
      effective_at: fc.constantFrom(at(1), at(3)),
    })
    .map((row) => ({ ...row, customer_unique_id: `person-${String(row.customer_id).slice(1)}` })),
  products: fc.record({
    product_id: fc.constantFrom("p1", "p2"),
    product_name: fc.constant(null),
    category_name: fc.constantFrom("moveis", "beleza"),
    category_name_english: fc.constant(null),
    name_length: fc.constant(10),
    description_length: fc.constant(100),
    photos_qty: fc.constant(1),
    weight_g: fc.constantFrom("100.00", "250.00"),
    length_cm: fc.constant("10.00"),
    height_cm: fc.constant("10.00"),
    width_cm: fc.constant("10.00"),
    effective_at: fc.constantFrom(at(1), at(3)),
  }),
};

/** The rows of one version of a file: unique per dedupe key (what Spark keeps of a file), possibly none. */
const contentArb = (entity: string): fc.Arbitrary<Row[]> => {
  const definition = ENTITIES.find((e) => e.name === entity);
  const arb = rowArb[entity];
  if (!definition || !arb) throw new Error(`no entity ${entity}`);
  const dedupeKey = definition.dedupeKey ?? definition.key;
  return fc.uniqueArray(arb, {
    maxLength: 5,
    selector: (row) => dedupeKey.map((column) => String(row[column])).join("|"),
  });
};

/** One run of a scenario: files (index into FILES) with the version token and the content Spark read. */
interface PlannedRun {
  readonly name: string;
  readonly files: readonly { readonly file: number; readonly version: string; readonly content: Row[] }[];
}

interface Scenario {
  /** Per file, its versions' contents in upload order. */
  readonly versions: readonly Row[][][];
  /** The runs in merge order (some twice). */
  readonly runs: readonly PlannedRun[];
}

const tokenOf = (file: number, version: number) => testVersion(100 * (version + 1) + file);

/**
 * Random scenarios: 2-3 versions per file (the last one sometimes the first one's bytes again), one event run per
 * version reading that version or a later one, maybe a replay of everything, merged in any order, some twice.
 */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .tuple(
    ...FILES.map((file) =>
      fc
        .tuple(fc.array(contentArb(file.entity), { minLength: 2, maxLength: 3 }), fc.boolean())
        .map(([versions, reput]) => (reput ? [...versions, versions[0] as Row[]] : versions)),
    ),
  )
  .chain((versions) => {
    const reads = versions.map((fileVersions) =>
      fc.tuple(...fileVersions.map((_, index) => fc.integer({ min: index, max: fileVersions.length - 1 }))),
    );
    return fc.record({
      versions: fc.constant(versions),
      reads: fc.tuple(...reads),
      replay: fc.boolean(),
      order: fc.infiniteStream(fc.nat()),
      twice: fc.array(fc.nat(), { maxLength: 3 }),
    });
  })
  .map(({ versions, reads, replay, twice }) => {
    const runs: PlannedRun[] = [];
    versions.forEach((fileVersions, file) => {
      fileVersions.forEach((_, version) => {
        const read = (reads[file] as number[])[version] as number;
        runs.push({
          name: `run-f${file}-v${version}-r${read}`,
          files: [{ file, version: tokenOf(file, version), content: fileVersions[read] as Row[] }],
        });
      });
    });
    if (replay) {
      runs.push({
        name: "replay-all",
        files: versions.map((fileVersions, file) => ({
          file,
          version: testVersion(100_000),
          content: fileVersions.at(-1) as Row[],
        })),
      });
    }
    for (const index of twice) runs.push(runs[index % runs.length] as PlannedRun);
    return { versions, runs };
  })
  .chain((scenario) =>
    fc
      .shuffledSubarray([...scenario.runs], {
        minLength: scenario.runs.length,
        maxLength: scenario.runs.length,
      })
      .map((runs) => ({ ...scenario, runs })),
  );

/** Writes a run's curated Parquet (one file per entity, rows with lineage) and returns it as a curated run. */
const writeRun = async (
  connection: Awaited<ReturnType<DuckDBInstance["connect"]>>,
  dir: string,
  run: PlannedRun,
): Promise<CuratedRun> => {
  const byEntity = new Map<string, Row[]>();
  const objects: LoadedObject[] = [];
  for (const { file, version, content } of run.files) {
    const { entity, uri } = FILES[file] as (typeof FILES)[number];
    objects.push({ sourceFile: uri, entity, version });
    const rows = byEntity.get(entity) ?? [];
    content.forEach((row, line) => {
      rows.push({
        ...row,
        _run_id: run.name,
        _source_file: uri,
        _source_line: line + 2,
        _ingested_at: INGESTED_AT,
      });
    });
    byEntity.set(entity, rows);
  }
  const files = new Map<string, string>();
  await mkdir(join(dir, run.name), { recursive: true });
  for (const [entity, rows] of byEntity) {
    if (rows.length === 0) continue;
    const definition = ENTITIES.find((e) => e.name === entity);
    if (!definition) throw new Error(`no entity ${entity}`);
    const json = join(dir, run.name, `${entity}.jsonl`);
    await writeFile(json, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
    const columns = curatedColumns(definition).map(
      (column) => [column.name, DUCKDB_TYPE[column.type]] as const,
    );
    const spec = `{${columns.map(([name, type]) => `'${name}': '${type}'`).join(", ")}}`;
    const target = join(dir, run.name, `${entity}.parquet`);
    await connection.run(
      `COPY (SELECT ${columns.map(([name]) => name).join(", ")}
             FROM read_json('${json}', format = 'newline_delimited', columns = ${spec}))
       TO '${target}' (FORMAT PARQUET)`,
    );
    files.set(entity, target);
  }
  return { runId: run.name, day: "2017-01-05", files, objects };
};

class Bench {
  private constructor(
    readonly warehouse: DuckDbWarehouse,
    readonly loadDir: string,
  ) {}

  static async open(): Promise<Bench> {
    const loadDir = await tempDir("load");
    const warehouse = await openWarehouse(loadDir);
    await warehouse.migrate(LOCAL_SETTINGS);
    return new Bench(warehouse, loadDir);
  }

  /** Empties every staging, core and star table (not the calendar) and the load bucket. */
  async reset(): Promise<void> {
    const tables = await this.warehouse.query(
      `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND (table_schema IN ('staging', 'core', 'star')
         OR table_name IN ('load_audit', 'sys_copy_job_detail', 'sys_load_detail', 'sys_load_error_detail'))
         AND table_name <> 'dim_date'`,
    );
    for (const table of tables) await this.warehouse.query(`DELETE FROM ${table.name}`);
    const { rm } = await import("node:fs/promises");
    await rm(this.loadDir, { recursive: true, force: true });
    await mkdir(this.loadDir, { recursive: true });
  }

  /** Loads the runs in order (auto-copy, then merge) into an emptied warehouse; the star's fingerprint. */
  async play(runs: readonly CuratedRun[]): Promise<Record<string, string>> {
    await this.reset();
    for (const run of runs) {
      await publish(run, this.loadDir);
      await this.warehouse.loadHistory(run.runId);
      await this.warehouse.merge(run.runId, run.objects);
    }
    return starSnapshot(this.warehouse);
  }
}

describe("versions of a raw file: the latest wins", () => {
  let bench: Bench;
  let instance: DuckDBInstance;
  let connection: Awaited<ReturnType<DuckDBInstance["connect"]>>;
  beforeAll(async () => {
    bench = await Bench.open();
    instance = await DuckDBInstance.create(":memory:");
    connection = await instance.connect();
  }, 60_000);
  afterAll(async () => {
    connection.closeSync();
    instance.closeSync();
    await bench.warehouse.close();
  });

  /** The star of loading only the latest version of each file, in one run. */
  const latestOnly = async (dir: string, scenario: Scenario) =>
    bench.play([
      await writeRun(connection, join(dir, "latest"), {
        name: "run-latest",
        files: scenario.versions.map((fileVersions, file) => ({
          file,
          version: tokenOf(file, fileVersions.length - 1),
          content: fileVersions.at(-1) as Row[],
        })),
      }),
    ]);

  it("any interleaving of versions, stale reads, replays and repeated merges gives the star of the latest versions", async () => {
    let scenarios = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        scenarios += 1;
        const dir = await tempDir("versions");
        const written = new Map<string, CuratedRun>();
        const runs: CuratedRun[] = [];
        for (const run of scenario.runs) {
          const curated = written.get(run.name) ?? (await writeRun(connection, dir, run));
          written.set(run.name, curated);
          runs.push(curated);
        }
        const expected = await latestOnly(dir, scenario);
        expect(await bench.play(runs), scenario.runs.map((run) => run.name).join(" -> ")).toEqual(expected);
      }),
      { numRuns: 8, seed: 20261206, endOnFailure: true },
    );
    expect(scenarios).toBe(8);
  }, 600_000);

  it("a newer version drops the rows it no longer has, a stale run changes nothing, earlier bytes put again win", async () => {
    const dir = await tempDir("versions-case");
    const order = (id: string, status: string): Row => ({
      order_id: id,
      customer_id: "c1",
      status,
      purchased_at: at(2, 10),
      approved_at: null,
      delivered_carrier_at: null,
      delivered_customer_at: null,
      estimated_delivery_at: at(7),
      effective_at: at(5),
    });
    const first = [order("o1", "shipped"), order("o2", "shipped")];
    const second = [order("o1", "delivered")];
    const put = (name: string, version: number, content: Row[]) =>
      writeRun(connection, dir, { name, files: [{ file: 0, version: tokenOf(0, version), content }] });
    const v1 = await put("run-v1", 0, first);
    const v2 = await put("run-v2", 1, second);
    const v3 = await put("run-v3", 2, first); // the first version's bytes, put again
    const statuses = async () =>
      bench.warehouse.query("SELECT order_id, order_status FROM star.fact_orders ORDER BY order_id");

    await bench.play([v1, v2]);
    expect(await statuses()).toEqual([{ order_id: "o1", order_status: "delivered" }]);
    // The first version's event, delayed, arrives after the second: stale, nothing changes.
    await bench.play([v2, v1]);
    expect(await statuses()).toEqual([{ order_id: "o1", order_status: "delivered" }]);
    // The earlier bytes put again are a new version: their content is back.
    await bench.play([v1, v2, v3]);
    expect(await statuses()).toEqual([
      { order_id: "o1", order_status: "shipped" },
      { order_id: "o2", order_status: "shipped" },
    ]);
    const recorded = await bench.warehouse.query(
      "SELECT run_id, version_token FROM core.current_source_objects ORDER BY run_id",
    );
    expect(recorded).toEqual([{ run_id: "run-v3", version_token: tokenOf(0, 2) }]);
  }, 120_000);
});
