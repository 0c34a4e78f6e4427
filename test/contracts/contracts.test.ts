import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource, loadContractBundle, parseContract } from "../../src/contracts/index.js";
import { bundleSchema } from "../../src/documents/bundle.js";
import { ContractError } from "../../src/errors.js";

const shipped = [
  "category_translation",
  "customers",
  "order_items",
  "orders",
  "payments",
  "products",
  "sellers",
];

const ORDERS_YAML = await readFile("contracts/orders.yaml", "utf8");
const PAYMENTS = "contracts/payments.yaml";
const PAYMENTS_YAML = await readFile(PAYMENTS, "utf8");

/** Expects `parseContract` to fail naming the file and this path, with a message matching `problem`. */
const expectContractError = (text: string, path: string, problem: RegExp, file = "contracts/orders.yaml") => {
  let caught: unknown;
  try {
    parseContract(file, text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ContractError);
  const error = caught as ContractError;
  expect({ file: error.file, path: error.path }).toEqual({ file, path });
  expect(error.problem).toMatch(problem);
  expect(error.message).toContain(`${file}: ${path}`);
};

describe("shipped contracts", () => {
  it("validate and compile into one deterministic bundle", async () => {
    const first = await loadContractBundle("contracts");
    const second = await loadContractBundle("contracts");
    expect(Object.keys(first.sources)).toEqual(shipped);
    expect(first.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it("carry the exact Olist CSV headers, misspellings included", async () => {
    const bundle = await loadContractBundle("contracts");
    expect(bundle.sources.products?.columns.map((column) => column.name)).toEqual([
      "product_id",
      "product_category_name",
      "product_name_lenght",
      "product_description_lenght",
      "product_photos_qty",
      "product_weight_g",
      "product_length_cm",
      "product_height_cm",
      "product_width_cm",
    ]);
    expect(bundle.sources.order_items?.columns.map((column) => column.name)).toEqual([
      "order_id",
      "order_item_id",
      "product_id",
      "seller_id",
      "shipping_limit_date",
      "price",
      "freight_value",
    ]);
    expect(bundle.sources.payments?.formats).toEqual(["csv", "jsonl"]);
  });

  it("compile feeds into one select per entity column, defaults and lineage filled in", async () => {
    const bundle = await loadContractBundle("contracts");
    const items = bundle.sources.order_items?.feeds[0];
    expect(items?.key).toEqual(["order_id", "order_item_id"]);
    expect(items?.select.map((select) => [select.column, select.type, select.expression])).toEqual([
      ["order_id", "string", "order_id"],
      ["order_item_id", "int", "order_item_id"],
      ["product_id", "string", "product_id"],
      ["seller_id", "string", "seller_id"],
      ["shipping_limit_at", "timestamp", "shipping_limit_date"],
      ["quantity", "int", "1"],
      ["unit_price", "decimal(18,4)", "price"],
      ["freight_value", "decimal(18,4)", "coalesce(freight_value, 0)"],
      ["effective_at", "timestamp", "_effective_at"],
    ]);
    const products = bundle.sources.products?.feeds[0]?.select;
    expect(products?.find((select) => select.column === "category_name_english")?.expression).toBe("NULL");
  });

  it("name every rule and mark the row-level ones", async () => {
    const bundle = await loadContractBundle("contracts");
    const rules = bundle.sources.orders?.quality.map((rule) => [rule.name, rule.row_level]);
    expect(rules).toEqual([
      ["accepted_values_order_status", true],
      ["not_null_order_approved_at", true],
      ["unique_orders", false],
      ["max_reject_rate", false],
      ["row_count_min", false],
      ["row_count_anomaly", false],
      ["freshness", false],
    ]);
  });
});

describe("the README's worked example (a denormalized export feeding four entities)", () => {
  it("validates and compiles with its filters and derived expressions", async () => {
    const file = "examples/contracts/sales_export.yaml";
    const source = compileSource(parseContract(file, await readFile(file, "utf8")));
    expect(source.feeds.map((feed) => [feed.entity, feed.filter])).toEqual([
      ["customers", null],
      ["products", null],
      ["orders", "line_no = 1"],
      ["order_items", "qty > 0"],
    ]);
    expect(source.csv?.delimiter).toBe(";");
    expect(source.extensions).toContain(".csv.gz");
    expect(source.event_time).toBe("sold_at");
  });
});

describe("the second worked example (an invoice-line export: no seller, no line id, dated by file name)", () => {
  it("validates and compiles: the house seller by default, the line in the file as line id, named filters", async () => {
    const file = "examples/contracts/online_retail.yaml";
    const source = compileSource(parseContract(file, await readFile(file, "utf8")));
    expect(source.batch_date).toEqual({
      from: "file_name",
      pattern: "^(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})\\.csv$",
    });
    expect(source.feeds.map((feed) => [feed.entity, feed.filter])).toEqual([
      ["customers", "(CustomerID IS NOT NULL)"],
      ["products", "Description IS NOT NULL"],
      ["orders", null],
      ["order_items", "(Quantity > 0 AND InvoiceNo NOT LIKE 'C%')"],
    ]);
    const items = source.feeds.find((feed) => feed.entity === "order_items");
    const expression = (column: string) => items?.select.find((s) => s.column === column)?.expression;
    expect([expression("seller_id"), expression("order_item_id"), expression("freight_value")]).toEqual([
      "'_house'",
      "_source_line",
      "0",
    ]);
    const customers = source.feeds.find((feed) => feed.entity === "customers");
    expect(customers?.select.map((s) => s.column).at(-1)).toBe("country");
  });
});

describe("batch_date: where an object's batch date comes from", () => {
  const withBatchDate = (yaml: string) => ORDERS_YAML.replace("event_time:", () => `${yaml}\nevent_time:`);

  it("defaults to the key's dt= folder", async () => {
    const bundle = await loadContractBundle("contracts");
    for (const source of Object.values(bundle.sources)) {
      expect(source.batch_date).toEqual({ from: "key", pattern: null });
    }
  });

  it("may be a pattern over the file name with named groups year, month and day", () => {
    const pattern = "^(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})\\.csv$";
    const source = compileSource(
      parseContract(
        "contracts/orders.yaml",
        withBatchDate(`batch_date: { from: file_name, pattern: '${pattern}' }`),
      ),
    );
    expect(source.batch_date).toEqual({ from: "file_name", pattern });
  });

  it("refuses a pattern without the three groups, an invalid one, or another origin", () => {
    expectContractError(
      withBatchDate("batch_date: { from: file_name, pattern: '(?<year>\\d{4})(?<month>\\d{2})' }"),
      "batch_date.pattern",
      /named groups .* missing day/,
    );
    expectContractError(
      withBatchDate("batch_date: { from: file_name, pattern: '(?<year>' }"),
      "batch_date.pattern",
      /not a valid regular expression/,
    );
    expectContractError(withBatchDate("batch_date: { from: file_name }"), "batch_date.pattern", /./);
    expectContractError(withBatchDate("batch_date: { from: column }"), "batch_date.column", /./);
    expectContractError(withBatchDate("batch_date: { from: folder }"), "batch_date.from", /./);
    expectContractError(
      withBatchDate("batch_date: { from: column, column: order_purchase_timestamp, pattern: x }"),
      "batch_date",
      /unrecognized key/i,
    );
  });

  it("may be the latest date in a date or timestamp column, which pipeline drop reads", () => {
    const source = compileSource(
      parseContract(
        "contracts/orders.yaml",
        withBatchDate("batch_date: { from: column, column: order_purchase_timestamp }"),
      ),
    );
    expect(source.batch_date).toEqual({ from: "column", column: "order_purchase_timestamp" });
    // The bundle document accepts it (the Spark job and the Lambdas read the bundle through its schema).
    expect(bundleSchema.shape.sources.parse({ orders: source }).orders?.batch_date).toEqual({
      from: "column",
      column: "order_purchase_timestamp",
    });
  });

  it("refuses a column that is not one, is not a date, or whose format cannot be read outside Spark", () => {
    expectContractError(
      withBatchDate("batch_date: { from: column, column: purchased }"),
      "batch_date.column",
      /names "purchased", which is not a column/,
    );
    expectContractError(
      withBatchDate("batch_date: { from: column, column: order_status }"),
      "batch_date.column",
      /column "order_status" is string; a batch date comes from a date or timestamp/,
    );
    expectContractError(
      withBatchDate("batch_date: { from: column, column: order_purchase_timestamp }").replace(
        /(name: order_purchase_timestamp, type: timestamp)[^}]*/,
        '$1, format: "EEE, d MMM yyyy HH:mm" ',
      ),
      "batch_date.column",
      /the format of column "order_purchase_timestamp", "EEE, d MMM yyyy HH:mm": "E" is not a pattern letter .*pipeline drop, .*cannot parse it/,
    );
  });
});

describe("a column's declared max_length", () => {
  it("is carried into the bundle only where it is declared", () => {
    const text = ORDERS_YAML.replace(
      "  - { name: order_status, type: string, required: true }",
      "  - { name: order_status, type: string, required: true, max_length: 12 }",
    );
    const columns = compileSource(parseContract("contracts/orders.yaml", text)).columns;
    expect(columns.find((column) => column.name === "order_status")?.max_length).toBe(12);
    expect(columns.find((column) => column.name === "order_id")).not.toHaveProperty("max_length");
  });
});

describe("named filters: a predicate written once, used by feeds as $name", () => {
  const withFilters = (filters: string, filter: string): string =>
    ORDERS_YAML.replace("feeds:\n", `filters:\n${filters}\nfeeds:\n`).replace(
      "  - entity: orders\n",
      `  - entity: orders\n    filter: ${filter}\n`,
    );

  it("compiles $name into the feed's filter, in parentheses", () => {
    const text = withFilters(
      "  placed: order_status <> 'created'\n  dated: order_purchase_timestamp IS NOT NULL",
      "$placed AND $dated",
    );
    const source = compileSource(parseContract("contracts/orders.yaml", text));
    expect(source.feeds[0]?.filter).toBe(
      "(order_status <> 'created') AND (order_purchase_timestamp IS NOT NULL)",
    );
  });

  it("an unknown $name, or a named filter using another, is an error at its path", () => {
    expectContractError(
      withFilters("  placed: order_status <> 'created'", "$shipped"),
      "feeds[0].filter",
      /\$shipped is not a named filter of this contract \(filters: placed\)/,
    );
    expectContractError(
      withFilters("  placed: order_status <> 'created'\n  both: $placed AND true", "$both"),
      "filters.both",
      /cannot use another one/,
    );
  });
});

describe("an invalid contract fails with the file, the path inside it and what is wrong", () => {
  it("an unquoted decimal(p,s) in a { } column names YAML's split as the likely cause", () => {
    const payments = PAYMENTS_YAML.replace('type: "decimal(12,2)"', "type: decimal(12,2)");
    expectContractError(
      payments,
      "columns[4].type",
      /split an unquoted decimal\(p,s\).*"decimal\(12,2\)"/,
      PAYMENTS,
    );
  });
  it("unknown entity", () => {
    expectContractError(
      ORDERS_YAML.replace("entity: orders", "entity: invoices"),
      "feeds[0].entity",
      /unknown entity "invoices"/,
    );
  });
  it("a required entity column left unmapped", () => {
    expectContractError(
      ORDERS_YAML.replace("      customer_id: customer_id\n", ""),
      "feeds[0].map",
      /needs column "customer_id"/,
    );
  });
  it("a mapping onto a column the entity does not have", () => {
    expectContractError(
      ORDERS_YAML.replace("status: order_status", "state: order_status"),
      "feeds[0].map.state",
      /no column "state"/,
    );
  });
  it("a rule on a missing column", () => {
    expectContractError(
      ORDERS_YAML.replace("column: order_status", "column: order_state"),
      "quality[0].column",
      /not a column/,
    );
  });
  it("an unknown column type", () => {
    expectContractError(
      ORDERS_YAML.replace("type: timestamp, format", "type: datetime, format"),
      "columns[3].type",
      /must be string/,
    );
  });
  it("an unknown key (typo)", () => {
    expectContractError(ORDERS_YAML.replace("event_time:", "event_tme:"), "", /Unrecognized key/);
  });
  it("an event time that is not a timestamp", () => {
    expectContractError(
      ORDERS_YAML.replace("event_time: order_purchase_timestamp", "event_time: order_status"),
      "event_time",
      /must be a date or timestamp/,
    );
  });
  it("a file name that does not match the source", () => {
    expectContractError(ORDERS_YAML, "source", /file is named sales/, "contracts/sales.yaml");
  });
  it("invalid YAML", () => {
    expectContractError("source: orders\nformats: [csv\n", "line 3", /not valid YAML/);
  });
  it("a folder with one bad contract fails the whole bundle", async () => {
    const dir = await mkdtemp(join(tmpdir(), "contracts-"));
    await writeFile(join(dir, "orders.yaml"), ORDERS_YAML.replace("severity: error", "severity: fatal"));
    await expect(loadContractBundle(dir)).rejects.toThrow(/orders\.yaml: quality\[0\]\.severity/);
  });
});
