import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  type GeneratedDataset,
  generateDataset,
  generateToDirectory,
  writeDataset,
} from "../../src/generator/index.js";
import { KeyIndex } from "../../src/generator/key-index.js";
import { drawPlaceCode, People, placeOf } from "../../src/generator/people.js";
import { Random } from "../../src/generator/random.js";
import { formatTimestamp } from "../../src/generator/rows.js";
import { Scd2Versions } from "../../src/generator/scd2-versions.js";
import { canonicalTimestampMs, TimestampColumn } from "../../src/generator/timestamps.js";
import { curatedRecord } from "../../src/generator/truth.js";

const OPTIONS = { seed: 7, orders: 600, days: 6 };
let dataset: GeneratedDataset;
let outDir: string;

const text = (key: string): string => {
  const file = dataset.files.find((candidate) => candidate.key === key);
  if (!file) throw new Error(`no file ${key}`);
  return (file.gzip ? gunzipSync(file.content) : file.content).toString("utf8");
};
const keysOf = (source: string) =>
  dataset.files.filter((file) => file.source === source).map((file) => file.key);

const digestOfTree = async (root: string): Promise<string> => {
  const hash = createHash("sha256");
  const entries = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const path of entries) hash.update(path.slice(root.length)).update(await readFile(path));
  return hash.digest("hex");
};

beforeAll(async () => {
  dataset = generateDataset(OPTIONS);
  outDir = await mkdtemp(join(tmpdir(), "generated-"));
  await writeDataset(dataset, outDir);
});

describe("determinism", () => {
  it("writes byte-identical files and truth for the same seed, and different ones for another seed", async () => {
    const again = await mkdtemp(join(tmpdir(), "generated-"));
    await writeDataset(generateDataset(OPTIONS), again);
    expect(await digestOfTree(again)).toBe(await digestOfTree(outDir));
    const other = await mkdtemp(join(tmpdir(), "generated-"));
    await writeDataset(generateDataset({ ...OPTIONS, seed: 8 }), other);
    expect(await digestOfTree(other)).not.toBe(await digestOfTree(outDir));
  });

  it("rejects invalid options with the offending path", () => {
    expect(() => generateDataset({ orders: 0 })).toThrow(ValidationError);
    expect(() => generateDataset({ startDate: "2017/01/01" })).toThrow(/startDate/);
  });
});

describe("layout", () => {
  it("writes <source>/dt=YYYY-MM-DD/<file> for every source and day, in the contracts' formats", async () => {
    expect(
      dataset.files.every((file) =>
        /^[a-z_]+\/dt=\d{4}-\d{2}-\d{2}\/[a-z_]+-\d{4}-\d{2}-\d{2}\.(csv|jsonl)(\.gz)?$/.test(file.key),
      ),
    ).toBe(true);
    expect(new Set(dataset.files.map((file) => file.source))).toEqual(
      new Set([
        "category_translation",
        "sellers",
        "products",
        "customers",
        "orders",
        "order_items",
        "payments",
      ]),
    );
    expect(keysOf("orders")).toHaveLength(OPTIONS.days);
    expect(keysOf("payments").some((key) => key.endsWith(".jsonl"))).toBe(true);
    expect(keysOf("order_items").some((key) => key.endsWith(".csv.gz"))).toBe(true);
    const onDisk = await readFile(join(outDir, "raw", keysOf("orders")[0] as string));
    expect(onDisk.toString("utf8")).toBe(text(keysOf("orders")[0] as string));
  });
});

describe("quirks real exports have", () => {
  it("the translation file starts with a BOM, uses CRLF and has no final newline", () => {
    const translation = text(keysOf("category_translation")[0] as string);
    expect(translation.startsWith("\ufeffproduct_category_name,product_category_name_english\r\n")).toBe(
      true,
    );
    expect(translation.replaceAll("\r\n", "").includes("\n")).toBe(false);
    expect(translation.endsWith("\r\n")).toBe(false);
  });

  it("some files lack the final newline, others have it", () => {
    const endings = dataset.files
      .filter((file) => file.format === "csv")
      .map((file) => text(file.key).endsWith("\n"));
    expect(endings).toContain(true);
    expect(endings).toContain(false);
  });

  it("values are quoted only sometimes, and commas, quotes and newlines inside fields are quoted correctly", () => {
    const customers = keysOf("customers").map(text).join("\n");
    expect(customers).toMatch(/,"[0-9a-f]{32}",/);
    expect(customers).toMatch(/\n[0-9a-f]{32},/);
    expect(customers).toContain('"sao joao del rei, distrito"');
    expect(customers).toContain('"jardim ""paulista"""');
    expect(customers).toContain('"santa rita do\npassa quatro"');
  });

  it("zip prefixes keep leading zeros; some states arrive in lowercase", () => {
    const customers = keysOf("customers").map(text).join("\n");
    expect(customers).toMatch(/,0\d{4},/);
    expect(customers).toMatch(/,(sp|rj|mg|pr|rs|ba|df|pe|ce|go|sc)\n/);
  });

  it("products without category, categories without translation, zero and not_defined payments", () => {
    const products = keysOf("products").map(text).join("\n");
    expect(products).toMatch(/\n[0-9a-f]{32},,,,,/);
    const translation = text(keysOf("category_translation")[0] as string);
    expect(products).toContain(",pc_gamer,");
    expect(translation).not.toContain("pc_gamer");
    const payments = keysOf("payments").map(text).join("\n");
    expect(payments).toMatch(
      /not_defined,\d+,0\.00|"payment_type":"not_defined","payment_installments":\d+,"payment_value":0\.00/,
    );
  });
});

/** Parses a raw CSV with DuckDB (an independent reader): data rows, and rows rejected for their shape. */
const parseWithDuckDb = async (path: string): Promise<{ rows: number; rejected: number }> => {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const rows = await connection.runAndReadAll(
    `select count(*)::int from read_csv('${path}', all_varchar = true, header = true, quote = '"', escape = '"', delim = ',', strict_mode = true, ignore_errors = true, store_rejects = true)`,
  );
  const rejected = await connection.runAndReadAll("select count(*)::int from reject_errors");
  connection.closeSync();
  return { rows: Number(rows.getRows()[0]?.[0]), rejected: Number(rejected.getRows()[0]?.[0]) };
};

describe("the expected truth", () => {
  it("counts every record of every CSV file, as an independent CSV reader sees them", async () => {
    for (const file of dataset.files.filter((candidate) => candidate.format === "csv")) {
      const truth = dataset.truth.files[file.key];
      const parsed = await parseWithDuckDb(join(outDir, "raw", file.key));
      expect({ key: file.key, read: parsed.rows + parsed.rejected, malformed: parsed.rejected }).toEqual({
        key: file.key,
        read: truth?.rows_read,
        malformed: truth?.quarantined.malformed_row ?? 0,
      });
    }
  });

  it("counts every jsonl line, and the broken ones as malformed", () => {
    for (const file of dataset.files.filter((candidate) => candidate.format === "jsonl")) {
      const lines = text(file.key)
        .split("\n")
        .filter((line) => line.length > 0);
      const broken = lines.filter((line) => {
        try {
          JSON.parse(line);
          return false;
        } catch {
          return true;
        }
      });
      expect(dataset.truth.files[file.key]?.rows_read).toBe(lines.length);
      expect(dataset.truth.files[file.key]?.quarantined.malformed_row ?? 0).toBe(broken.length);
    }
  });

  it("accounts for every row of every file: read = quarantined + duplicates + curated", () => {
    for (const [key, file] of Object.entries(dataset.truth.files)) {
      const quarantined = Object.values(file.quarantined).reduce((sum, count) => sum + count, 0);
      const curated = Object.values(file.curated).reduce((sum, count) => sum + count, 0);
      expect({ key, read: file.rows_read }).toEqual({
        key,
        read: quarantined + file.exact_duplicates + file.superseded + curated,
      });
    }
  });

  it("holds every defect kind the generator injects", () => {
    const { by_reason } = dataset.truth.quarantine;
    for (const reason of ["malformed_row", "missing_required", "invalid_type", "rule_violation"]) {
      expect(by_reason[reason], reason).toBeGreaterThan(0);
    }
    expect(dataset.truth.totals.exact_duplicates).toBeGreaterThan(0);
    expect(dataset.truth.scd2.dim_customer.keys_with_history).toBeGreaterThan(0);
    expect(dataset.truth.scd2.dim_product.keys_with_history).toBeGreaterThan(0);
    expect(dataset.truth.star.unknown_members.fact_sales_unknown_product).toBeGreaterThan(0);
  });

  it("matches the expected curated rows written next to it", async () => {
    for (const day of dataset.days) {
      for (const [entity, rows] of day.curated) {
        const written = await readFile(
          join(outDir, "expected", "curated", entity, `dt=${day.batchDate}.jsonl`),
          "utf8",
        );
        expect(
          written
            .trimEnd()
            .split("\n")
            .map((line) => JSON.parse(line)),
        ).toEqual(rows.map(curatedRecord));
      }
    }
  });

  it("computes revenue and payments exactly on a defect-free dataset, from the raw files themselves", async () => {
    const clean = generateDataset({
      seed: 3,
      orders: 200,
      days: 1,
      rates: {
        exactDuplicate: 0,
        correctedRow: 0,
        malformed: 0,
        late: 0,
        customerMove: 0,
        productChange: 0,
        orphan: 0,
        optionalQuote: 0.1,
      },
    });
    const dir = await mkdtemp(join(tmpdir(), "generated-clean-"));
    await writeDataset(clean, dir);
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    const raw = (source: string) => join(dir, "raw", source, "*", "*");
    const revenue = await connection.runAndReadAll(
      `select strftime(o.order_purchase_timestamp::timestamp, '%Y-%m') as month, sum(i.price::decimal(12,2))::varchar
       from read_csv('${raw("order_items")}', header = true, all_varchar = true) i
       join read_csv('${raw("orders")}', header = true, all_varchar = true) o using (order_id)
       where o.order_status not in ('canceled', 'unavailable') group by 1 order by 1`,
    );
    expect(
      Object.fromEntries(revenue.getRows().map(([month, total]) => [String(month), String(total)])),
    ).toEqual(clean.truth.revenue_by_month);
    const payments = await connection.runAndReadAll(
      `select count(*)::int, sum(payment_value::decimal(12,2))::varchar from read_csv('${raw("payments")}', header = true, all_varchar = true)`,
    );
    expect(payments.getRows()[0]?.map(String)).toEqual([
      String(clean.truth.payments.count),
      clean.truth.payments.total,
    ]);
    expect(clean.truth.quarantine.by_reason).toEqual({});
    expect(clean.truth.totals.exact_duplicates + clean.truth.totals.superseded).toBe(0);
  });
});

describe("the quality gate in the truth", () => {
  it("keeps a source-day stopped by max_reject_rate out of the warehouse figures, and lists it", async () => {
    const strict = await mkdtemp(join(tmpdir(), "contracts-strict-"));
    for (const name of await readdir("contracts")) {
      const text = await readFile(join("contracts", name), "utf8");
      await writeFile(
        join(strict, name),
        name === "orders.yaml" ? text.replace("threshold: 0.05", "threshold: 0.0") : text,
      );
    }
    const gated = generateDataset({ ...OPTIONS, contracts: strict });
    const stoppedDays = gated.truth.gated
      .filter((entry) => entry.source === "orders")
      .map((entry) => entry.batch_date);
    const daysWithRejects = dataset.days
      .filter((day) =>
        Object.entries(dataset.truth.files).some(
          ([key, file]) =>
            key.startsWith(`orders/dt=${day.batchDate}/`) && Object.keys(file.quarantined).length > 0,
        ),
      )
      .map((day) => day.batchDate);
    expect(stoppedDays).toEqual(daysWithRejects);
    expect(stoppedDays.length).toBeGreaterThan(0);
    const lost = gated.days
      .filter((day) => stoppedDays.includes(day.batchDate))
      .reduce((sum, day) => sum + (day.curated.get("orders")?.length ?? 0), 0);
    expect(gated.truth.entities.orders).toBe(dataset.truth.entities.orders - lost);
    // The Spark-level truth (per file) does not change: the gate acts after the transform.
    expect(gated.truth.files).toEqual(dataset.truth.files);
  });
});

describe("streaming generation", () => {
  it("writes exactly what the in-memory path writes, and reports the same truth", async () => {
    const streamed = await mkdtemp(join(tmpdir(), "generated-"));
    const summary = await generateToDirectory(OPTIONS, streamed);
    expect(await digestOfTree(streamed)).toBe(await digestOfTree(outDir));
    expect(summary.truth).toEqual(dataset.truth);
    expect(summary.files).toBe(dataset.files.length);
    expect(summary.bytes).toBe(dataset.files.reduce((sum, file) => sum + file.content.length, 0));
  });

  it("matches the in-memory path with gated sources, days without orders and without expected rows", async () => {
    const strict = await mkdtemp(join(tmpdir(), "contracts-"));
    for (const name of await readdir("contracts")) {
      const text = await readFile(join("contracts", name), "utf8");
      await writeFile(
        join(strict, name),
        name === "orders.yaml" ? text.replace("threshold: 0.05", "threshold: 0.0") : text,
      );
    }
    for (const options of [
      { ...OPTIONS, contracts: strict },
      { seed: 3, orders: 40, days: 90 },
      { seed: 5, orders: 300, days: 4, expectedRows: false },
    ]) {
      const inMemory = await mkdtemp(join(tmpdir(), "generated-"));
      const generated = generateDataset(options);
      await writeDataset(generated, inMemory);
      const streamed = await mkdtemp(join(tmpdir(), "generated-"));
      const summary = await generateToDirectory(options, streamed);
      expect(await digestOfTree(streamed)).toBe(await digestOfTree(inMemory));
      expect(summary.truth).toEqual(generated.truth);
    }
  });

  it("replaces what the output folder held", async () => {
    const target = await mkdtemp(join(tmpdir(), "generated-"));
    await generateToDirectory({ ...OPTIONS, seed: 8 }, target);
    await generateToDirectory(OPTIONS, target);
    expect(await digestOfTree(target)).toBe(await digestOfTree(outDir));
  });
});

describe("compact state", () => {
  it("packs a place into a number and back, drawing what an unpacked place draws", () => {
    const random = new Random(11);
    const people = new People();
    for (let index = 0; index < 2000; index++) {
      const place = placeOf(drawPlaceCode(random));
      expect(place.zip).toMatch(/^\d{5}$/);
      people.add(random.hexId(), drawPlaceCode(random));
    }
    expect(people.count).toBe(2000);
    expect(people.uniqueId(1999)).toMatch(/^[0-9a-f]{32}$/);
    const lowercase = Array.from({ length: 2000 }, (_, person) => placeOf(people.placeCode(person))).filter(
      (place) => place.state === place.state.toLowerCase(),
    );
    expect(lowercase.length).toBeGreaterThan(0);
    people.move(0, drawPlaceCode(random));
  });

  it("hex ids are 32 lowercase hex digits, one 8-digit word per draw", () => {
    const words = new Random(99);
    const ids = new Random(99);
    const expected = Array.from({ length: 4 }, () => words.uint32().toString(16).padStart(8, "0")).join("");
    expect(ids.hexId()).toBe(expected);
  });

  it("SCD2 versions refuse a run whose observations predate an earlier run's", () => {
    const versions = new Scd2Versions("customer_unique_id", ["city"]);
    const observation = (effectiveAt: string, city: string) => ({
      row: { customer_unique_id: "p1", city, effective_at: effectiveAt },
      file: `customers/dt=${effectiveAt.slice(0, 10)}/customers.csv`,
      line: 2,
    });
    versions.add([observation("2017-01-03 00:00:00", "a")]);
    versions.add([observation("2017-01-04 00:00:00", "b"), observation("2017-01-04 00:00:00", "b")]);
    expect(versions.counts()).toEqual({ keys: 1, versions: 2, keys_with_history: 1 });
    expect(() => versions.add([observation("2017-01-02 00:00:00", "c")])).toThrow(/predate/);
  });
});

describe("key index", () => {
  it("numbers hex ids, integers and other keys densely in first-seen order, across table growth", () => {
    const index = new KeyIndex();
    const random = new Random(5);
    const hexIds = Array.from({ length: 5000 }, () => random.hexId());
    const keys: (string | number)[] = [];
    hexIds.forEach((id, position) => {
      keys.push(id, position * 32 + (position % 7), `${id}-x`, id.toUpperCase());
    });
    keys.push(2 ** 40 + 3, -1, 1.5, "");
    keys.forEach((key, position) => {
      expect(index.add(key)).toBe(position);
    });
    expect(index.size).toBe(keys.length);
    keys.forEach((key, position) => {
      expect(index.find(key)).toBe(position);
      expect(index.add(key)).toBe(position);
    });
    expect(index.find(new Random(6).hexId())).toBe(-1);
    expect(index.find(12345678)).toBe(-1);
    expect(index.find("nope")).toBe(-1);
    expect(index.size).toBe(keys.length);
  });
});

describe("timestamps", () => {
  it("turns canonical timestamps into numbers that format back to the same text, and nothing else", () => {
    for (const text of ["2017-01-02 00:00:00", "1900-01-01 00:00:00", "2016-02-29 23:59:59"]) {
      expect(formatTimestamp(canonicalTimestampMs(text))).toBe(text);
    }
    for (const text of [
      "2017-02-30 25:61:00",
      "2017-13-05 10:11:12",
      "2017-02-29 10:00:00",
      "0999-01-01 00:00:00",
      "yesterday",
      "2017-01-02T00:00:00",
    ]) {
      expect(canonicalTimestampMs(text)).toBeNaN();
    }
  });

  it("keeps any text and compares in text order", () => {
    const column = new TimestampColumn();
    column.set(0, "2017-01-02 10:00:00");
    column.set(1, "not a time");
    column.set(2, "2017-01-02 10:00:00");
    expect([column.text(0), column.text(1), column.text(2)]).toEqual([
      "2017-01-02 10:00:00",
      "not a time",
      "2017-01-02 10:00:00",
    ]);
    expect(column.compare("2017-01-02 09:59:59", 0)).toBe(-1);
    expect(column.compare("2017-01-02 10:00:00", 0)).toBe(0);
    expect(column.compare("2017-01-03 00:00:00", 0)).toBe(1);
    expect(column.compare("2017-01-02 10:00:00", 1)).toBe(-1);
    column.set(1, "2018-01-01 00:00:00");
    expect(column.text(1)).toBe("2018-01-01 00:00:00");
  });
});
