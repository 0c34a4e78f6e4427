import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSparkRunner } from "../../src/adapters/local/local-spark-runner.js";
import { columnDating, keyForDrop } from "../../src/cli/commands/drop.js";
import { readQuarantine } from "../../src/cli/commands/quarantine.js";
import { loadContractBundle } from "../../src/contracts/index.js";
import { LocalStage } from "../../src/local/stage.js";
import type { Row } from "../../src/ports/warehouse.js";
import { moneyText, moneyUnits, normalizeMoney } from "../../src/warehouse/money.js";
import { warmProjectSpark } from "../support/spark.js";
import { useTempDir } from "../support/temp.js";

/**
 * The second worked example, end to end: examples/contracts/online_retail.yaml (an invoice-line export in the
 * shape of the UCI Online Retail dataset: no seller, no line id, the batch date in the file name) in a local
 * stage of its own, with the real Spark job and the real DuckDB warehouse. The test generates a small dataset,
 * drops one file per day named by its date (online_retail/2010-12-01.csv), and compares the star schema with
 * what it recomputes from the lines it wrote. A second stage takes the same contract dated by its InvoiceDate
 * column (`batch_date: { from: column }`): each day's file is `export.csv`, keyed as `pipeline drop` keys it (the
 * column's latest date), and the star schema is the same.
 */
const PROJECT = process.cwd();
const CONTRACTS = join(PROJECT, "examples", "contracts");
const tempDir = useTempDir();
let spark: LocalSparkRunner;

interface Line {
  readonly file: string;
  /** The physical line in its file (the header is line 1): the order line id the contract derives. */
  readonly line: number;
  readonly invoice: string;
  readonly stockCode: string;
  readonly description: string;
  readonly quantity: number;
  /** "YYYY-MM-DD HH:MM" */
  readonly at: string;
  /** The price as written: pounds with up to four decimals (0.001), except the one that does not fit (0.00125). */
  readonly price: string;
  readonly customer: string | null;
  readonly country: string;
}

/** A small deterministic PRNG (mulberry32): the dataset is the same on every run. */
const random = (seed: number) => {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const DAYS = ["2010-12-01", "2010-12-02", "2010-12-03"];
const PRODUCTS: Record<string, string> = {
  "85123A": "WHITE HANGING HEART T-LIGHT HOLDER",
  "71053": "WHITE METAL LANTERN",
  "84406B": "CREAM CUPID HEARTS COAT HANGER",
  "22752": "SET 7 BABUSHKA NESTING BOXES",
  "21730": "GLASS STAR FROSTED T-LIGHT HOLDER",
};
const CUSTOMERS: Record<string, string> = {
  "17850": "United Kingdom",
  "13047": "United Kingdom",
  "12583": "France",
  "12431": "Australia",
  "12662": "Germany",
};

/**
 * Three days of invoices. On day 2 customer 12583 has moved (France -> Belgium): a second dim_customer version.
 * On day 3 product 85123A's description changes: a second dim_product version. Day 2 holds a cancellation
 * ('C' invoice, negative quantity: an order but no order item) and a guest invoice (no customer: customer_key
 * -1); day 3 a price below a penny (0.001: loaded exactly, 100 of them are 0.10) and one with five decimals
 * (0.00125: quarantined, never rounded).
 */
const generate = (): Line[] => {
  const next = random(14);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const lines: Line[] = [];
  let invoiceNo = 536365;
  DAYS.forEach((day, dayIndex) => {
    const file = `${day}.csv`;
    let line = 1;
    for (let invoice = 0; invoice < 10; invoice++) {
      const customer = dayIndex === 1 && invoice === 7 ? null : pick(Object.keys(CUSTOMERS));
      const country =
        customer === null
          ? "United Kingdom"
          : customer === "12583" && dayIndex >= 1
            ? "Belgium"
            : CUSTOMERS[customer];
      const at = `${day} ${String(8 + invoice).padStart(2, "0")}:${String(10 + dayIndex).padStart(2, "0")}`;
      const no = String(invoiceNo++);
      const items = 1 + Math.floor(next() * 4);
      for (let item = 0; item < items; item++) {
        const stockCode = pick(Object.keys(PRODUCTS));
        const description =
          stockCode === "85123A" && dayIndex === 2
            ? "WHITE HANGING HEART T-LIGHT HOLDER, LARGE"
            : (PRODUCTS[stockCode] as string);
        const cents = 85 + Math.floor(next() * 2000);
        line += 1;
        lines.push({
          file,
          line,
          invoice: no,
          stockCode,
          description,
          quantity: 1 + Math.floor(next() * 12),
          at,
          price: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`,
          customer,
          country: country as string,
        });
      }
    }
    if (dayIndex === 1) {
      // A cancellation of the day's first invoice's first line.
      const first = lines.find((l) => l.file === file) as Line;
      line += 1;
      lines.push({
        ...first,
        line,
        invoice: `C${first.invoice}`,
        quantity: -first.quantity,
        at: `${day} 17:45`,
      });
    }
    if (dayIndex === 2) {
      line += 1;
      lines.push({
        file,
        line,
        invoice: String(invoiceNo++),
        stockCode: "71053",
        description: PRODUCTS["71053"] as string,
        quantity: 100,
        at: `${day} 18:00`,
        price: "0.001",
        customer: "17850",
        country: "United Kingdom",
      });
      line += 1;
      lines.push({
        file,
        line,
        invoice: String(invoiceNo++),
        stockCode: "22752",
        description: PRODUCTS["22752"] as string,
        quantity: 8,
        at: `${day} 18:30`,
        price: "0.00125",
        customer: "13047",
        country: "United Kingdom",
      });
    }
  });
  return lines;
};

const csvField = (value: string): string =>
  /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** "2010-12-01 08:10" -> "12/1/2010 8:10", as the UCI export writes dates. */
const ukDate = (at: string): string => {
  const [date, time] = at.split(" ") as [string, string];
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":") as [string, string];
  return `${month}/${day}/${year} ${Number(hour)}:${minute}`;
};

const fileContent = (lines: readonly Line[]): string =>
  `${[
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
    ...lines.map((l) =>
      [
        l.invoice,
        l.stockCode,
        csvField(l.description),
        String(l.quantity),
        ukDate(l.at),
        l.price,
        l.customer ?? "",
        csvField(l.country),
      ].join(","),
    ),
  ].join("\n")}\n`;

/** Money fits the warehouse's decimal(18,4) with at most four decimals. */
const fits = (l: Line): boolean => !/\.\d{5,}$/.test(l.price);
const isSale = (l: Line): boolean => l.quantity > 0 && !l.invoice.startsWith("C");

/** SCD2 versions of each key from its observations in (time, file, line) order: a version starts at a change. */
const versionsOf = <T>(
  observations: readonly Line[],
  keyOf: (l: Line) => string | null,
  attributesOf: (l: Line) => T,
): Map<string, { value: T; from: string }[]> => {
  const ordered = [...observations].sort(
    (a, b) => a.at.localeCompare(b.at) || a.file.localeCompare(b.file) || a.line - b.line,
  );
  const versions = new Map<string, { value: T; from: string }[]>();
  for (const l of ordered) {
    const key = keyOf(l);
    if (key === null) continue;
    const list = versions.get(key) ?? [];
    const value = attributesOf(l);
    if (list.length === 0 || JSON.stringify(list.at(-1)?.value) !== JSON.stringify(value))
      list.push({ value, from: l.at });
    versions.set(key, list);
  }
  return versions;
};

const rows = (result: Row[]) =>
  result.map((row) => JSON.parse(JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? Number(v) : v))));

beforeAll(async () => {
  spark = warmProjectSpark(join(await tempDir(), "spark.log"));
});
afterAll(async () => {
  await spark?.close();
});

describe("the online_retail example contract (examples/contracts), end to end", () => {
  it("files named by date become a star schema with countries, SCD2 product names and descriptions, and the house seller", {
    timeout: 900_000,
  }, async () => {
    const lines = generate();
    const stage = await LocalStage.open({
      projectRoot: PROJECT,
      stage: "e2e-retail",
      root: await tempDir(),
      contractsDir: CONTRACTS,
      spark,
      print: () => undefined,
    });
    try {
      for (const day of DAYS) {
        await stage.put(
          `online_retail/${day}.csv`,
          fileContent(lines.filter((l) => l.file === `${day}.csv`)),
        );
        await stage.settle();
      }
      await expectStarOf(stage, lines, (l) => `online_retail/${l.file}`);
    } finally {
      await stage.close();
    }
  });

  it("files with no date in their name, dated by their InvoiceDate column (batch_date: { from: column }), give the same star", {
    timeout: 900_000,
  }, async () => {
    // The same contract, dated by its InvoiceDate column instead of the file name.
    const contracts = await tempDir();
    const yaml = await readFile(join(CONTRACTS, "online_retail.yaml"), "utf8");
    const byColumn = yaml.replace(/^batch_date: .*$/m, "batch_date: { from: column, column: InvoiceDate }");
    expect(byColumn).not.toBe(yaml);
    await writeFile(join(contracts, "online_retail.yaml"), byColumn);
    const bundle = await loadContractBundle(contracts);
    expect(bundle.sources.online_retail?.batch_date).toEqual({ from: "column", column: "InvoiceDate" });

    // Each day's export has the same name, and no date in it or in its folder.
    const lines = generate();
    const exports = await tempDir();
    const stage = await LocalStage.open({
      projectRoot: PROJECT,
      stage: "e2e-retail-column",
      root: await tempDir(),
      contractsDir: contracts,
      spark,
      print: () => undefined,
    });
    const keys: string[] = [];
    try {
      for (const day of DAYS) {
        const file = join(exports, "export.csv");
        await writeFile(file, fileContent(lines.filter((l) => l.file === `${day}.csv`)));
        // What `pipeline drop export.csv --source online_retail` does: the key from the column's latest date.
        const dating = columnDating(bundle);
        try {
          keys.push(await keyForDrop(file, { source: "online_retail" }, bundle.sources, dating.dateOf));
        } finally {
          dating.close();
        }
        expect(dating.notes).toEqual([]);
        await stage.dropFile(file, keys.at(-1) as string);
        await stage.settle();
      }
      expect(keys).toEqual(DAYS.map((day) => `online_retail/dt=${day}/export.csv`));
      const runs = await stage.workflow.list(100);
      expect(runs.map((run) => run.name.slice(0, "run-20101201".length)).sort()).toEqual(
        DAYS.map((day) => `run-${day.replaceAll("-", "")}`),
      );
      // Each run read its day's file, and the rows carry that batch date.
      for (const day of DAYS) {
        const run = runs.find((r) => r.name.startsWith(`run-${day.replaceAll("-", "")}`));
        const manifest = JSON.parse(
          new TextDecoder().decode(
            await stage.store.get({ bucket: "curated", key: `manifests/${run?.name}.json` }),
          ),
        );
        expect(
          manifest.inputs.map((input: { key: string; batch_date: string }) => [input.key, input.batch_date]),
        ).toEqual([[`online_retail/dt=${day}/export.csv`, day]]);
      }
      await expectStarOf(
        stage,
        lines.map((l) => ({ ...l })),
        (l) => `online_retail/dt=${l.file.replace(/\.csv$/, "")}/export.csv`,
      );
    } finally {
      await stage.close();
    }
  });
});

/** The star schema, the run balance and the quarantine of a stage that loaded `lines`, compared with a recomputation. */
const expectStarOf = async (
  stage: LocalStage,
  lines: readonly Line[],
  keyOf: (line: Line) => string,
): Promise<void> => {
  const runs = await stage.workflow.list(100);
  expect(runs.map((run) => [run.status, run.error ?? ""])).toEqual(DAYS.map(() => ["SUCCEEDED", ""]));
  const query = async (sql: string) => rows(await stage.warehouse.query(sql));

  // Every row read is accounted for: the price that does not fit is quarantined, nothing else.
  expect(
    await query(
      "SELECT SUM(rows_read) AS rows_read, SUM(rows_quarantined) AS rows_quarantined FROM ops.runs",
    ),
  ).toEqual([{ rows_read: lines.length, rows_quarantined: lines.filter((l) => !fits(l)).length }]);
  expect(await query("SELECT COUNT(*) AS n FROM ops.run_balance WHERE NOT balanced")).toEqual([{ n: 0 }]);
  const byReason: Record<string, number> = {};
  for (const run of runs) {
    const record = JSON.parse(
      new TextDecoder().decode(await stage.store.get({ bucket: "curated", key: `runs/${run.name}.json` })),
    );
    for (const [reason, n] of Object.entries(record.rows.quarantined_by_reason as Record<string, number>)) {
      if (n > 0) byReason[reason] = (byReason[reason] ?? 0) + n;
    }
  }
  expect(byReason).toEqual({ invalid_type: 1 });

  // fact_sales: one row per sold line (cancellations and the quarantined line are not sales), revenue exact to
  // the fourth decimal.
  const sold = lines.filter((l) => fits(l) && isSale(l));
  const revenue = sold.reduce((sum, l) => sum + BigInt(l.quantity) * moneyUnits(l.price), 0n);
  const [sales] = await query(
    `SELECT COUNT(*) AS n, SUM(revenue) AS revenue, COUNT(DISTINCT order_id) AS orders,
            SUM(CASE WHEN seller_key = -2 THEN 1 ELSE 0 END) AS house
     FROM star.fact_sales`,
  );
  expect({ ...sales, revenue: normalizeMoney(sales?.revenue) }).toEqual({
    n: sold.length,
    revenue: moneyText(revenue),
    orders: new Set(sold.map((l) => l.invoice)).size,
    house: sold.length,
  });
  // The price below a penny is kept as it was written, not rounded to 0.00: 100 x 0.001 = 0.10.
  const penny = lines.find((l) => l.price === "0.001") as Line;
  expect(
    await query(
      `SELECT s.unit_price, s.revenue, o.items_revenue FROM star.fact_sales AS s
       INNER JOIN star.fact_orders AS o ON s.order_id = o.order_id WHERE s.order_id = '${penny.invoice}'`,
    ),
  ).toEqual([{ unit_price: "0.0010", revenue: "0.1000", items_revenue: "0.1000" }]);
  // The five-decimal price is the one line quarantined, with its object key, line, column and raw value.
  const tooPrecise = lines.find((l) => !fits(l)) as Line;
  const { rows: quarantined } = await readQuarantine(stage.store, { source: "online_retail", limit: 10 });
  expect(
    quarantined.map((row) => [row.file, row.line, row.reason, row.reason_column, row.values.UnitPrice]),
  ).toEqual([[keyOf(tooPrecise), tooPrecise.line, "invalid_type", "UnitPrice", "0.00125"]]);
  // The order line id is the line in the file.
  expect(
    await query("SELECT order_id, order_item_id FROM star.fact_sales ORDER BY order_id, order_item_id"),
  ).toEqual(
    sold
      .map((l) => ({ order_id: l.invoice, order_item_id: l.line }))
      .sort((a, b) => a.order_id.localeCompare(b.order_id) || a.order_item_id - b.order_item_id),
  );
  // fact_orders: every invoice, the cancellation included.
  expect(
    await query("SELECT order_status, COUNT(*) AS n FROM star.fact_orders GROUP BY order_status ORDER BY 1"),
  ).toEqual([
    {
      order_status: "canceled",
      n: new Set(lines.filter((l) => fits(l) && l.invoice.startsWith("C")).map((l) => l.invoice)).size,
    },
    {
      order_status: "delivered",
      n: new Set(lines.filter((l) => fits(l) && !l.invoice.startsWith("C")).map((l) => l.invoice)).size,
    },
  ]);

  // dim_seller: only the house member, which every sale points to.
  expect(await query("SELECT seller_key, seller_id, city FROM star.dim_seller")).toEqual([
    { seller_key: -2, seller_id: "_house", city: null },
  ]);

  // dim_customer: SCD2 over the country.
  const customerVersions = versionsOf(
    lines.filter(fits),
    (l) => l.customer,
    (l) => l.country,
  );
  expect(
    await query(
      "SELECT customer_unique_id, country, version_number, is_current, zip_code_prefix FROM star.dim_customer ORDER BY 1, 3",
    ),
  ).toEqual(
    [...customerVersions.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([id, versions]) =>
        versions.map((version, index) => ({
          customer_unique_id: id,
          country: version.value,
          version_number: index + 1,
          is_current: index === versions.length - 1,
          zip_code_prefix: null,
        })),
      ),
  );
  expect(customerVersions.get("12583")?.map((v) => v.value)).toEqual(["France", "Belgium"]);

  // dim_product: SCD2 over the name and the description.
  const productVersions = versionsOf(
    lines.filter(fits),
    (l) => l.stockCode,
    (l) => l.description,
  );
  const titleCase = (text: string) =>
    text
      .toLowerCase()
      .replace(/(^|\s)(\S)/g, (_m, space: string, letter: string) => space + letter.toUpperCase());
  expect(
    await query(
      "SELECT product_id, product_name, product_description, version_number, is_current FROM star.dim_product ORDER BY 1, 4",
    ),
  ).toEqual(
    [...productVersions.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([id, versions]) =>
        versions.map((version, index) => ({
          product_id: id,
          product_name: titleCase(version.value),
          product_description: version.value,
          version_number: index + 1,
          is_current: index === versions.length - 1,
        })),
      ),
  );
  expect(productVersions.get("85123A")?.length).toBe(2);

  // Facts join the versions valid at the invoice: each sale's country and description are its line's, and the
  // guest invoice's customer is the unknown member.
  const joined = await query(
    `SELECT f.order_id, f.order_item_id, c.country, p.product_description, f.customer_key
         FROM star.fact_sales AS f
         LEFT JOIN star.dim_customer AS c ON f.customer_key = c.customer_key
         LEFT JOIN star.dim_product AS p ON f.product_key = p.product_key
         ORDER BY 1, 2`,
  );
  expect(joined.map(({ customer_key, ...rest }) => ({ ...rest, guest: customer_key === -1 }))).toEqual(
    sold
      .sort((a, b) => a.invoice.localeCompare(b.invoice) || a.line - b.line)
      .map((l) => ({
        order_id: l.invoice,
        order_item_id: l.line,
        country: l.customer === null ? null : l.country,
        product_description: l.description,
        guest: l.customer === null,
      })),
  );
};
