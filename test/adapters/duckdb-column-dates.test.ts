import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ColumnDateReader, ColumnDatesError } from "../../src/adapters/local/duckdb-column-dates.js";
import { type CompiledSource, compileSource, parseContract } from "../../src/contracts/index.js";
import { batchDateFromColumn, type ColumnDates } from "../../src/core/column-batch-date.js";
import { ValidationError } from "../../src/errors.js";
import { useTempDir } from "../support/temp.js";

/**
 * `pipeline drop` dates a file of a source with `batch_date: { from: column }` by reading the column itself: the
 * latest date in it, before Spark ever sees the file.
 */
const tempDir = useTempDir();

const contract = (batchColumn: string, extra = ""): CompiledSource =>
  compileSource(
    parseContract(
      "contracts/retail.yaml",
      `source: retail
formats: [csv, jsonl, parquet]
${extra}
null_values: ["", "NULL"]
columns:
  - { name: InvoiceNo, type: string, required: true }
  - { name: InvoiceDate, type: timestamp, format: "M/d/yyyy H:mm" }
  - { name: Shipped, type: date }
  - { name: Logged, type: timestamp }
batch_date: { from: column, column: ${batchColumn} }
feeds:
  - entity: orders
    map: { order_id: InvoiceNo, customer_id: InvoiceNo, status: "'delivered'", purchased_at: InvoiceDate }
`,
    ),
  );

const RETAIL = contract("InvoiceDate");
let reader: ColumnDateReader;
beforeAll(async () => {
  reader = await ColumnDateReader.open();
});
afterAll(() => reader?.close());

const write = async (name: string, content: string | Uint8Array): Promise<string> => {
  const path = join(await tempDir(), name);
  await writeFile(path, content);
  return path;
};

const csv = (dates: readonly string[], header = "InvoiceNo,InvoiceDate,Shipped,Logged"): string =>
  `${[header, ...dates.map((date, i) => `${536365 + i},${date},,`)].join("\n")}\n`;

describe("the dates of a file's column, read by DuckDB", () => {
  it("a csv export of one day: every row on that date", async () => {
    const path = await write("export.csv", csv(["12/1/2010 8:26", "12/1/2010 8:28", "12/1/2010 17:05"]));
    expect(await reader.read(path, RETAIL, "InvoiceDate")).toEqual({
      dates: [{ date: "2010-12-01", rows: 3 }],
      empty: 0,
      unparseable: 0,
      example: null,
    });
  });

  it("rows over several dates, empty values (null_values included) and values that do not parse", async () => {
    const path = await write(
      "export.csv",
      csv([
        "12/1/2010 8:26",
        "11/30/2010 23:59",
        "",
        "NULL",
        "12/2/2010 9:00",
        "12/02/2010 10:00",
        "2010-12-03",
        "12/2/2010 9:00",
      ]),
    );
    expect(await reader.read(path, RETAIL, "InvoiceDate")).toEqual({
      dates: [
        { date: "2010-11-30", rows: 1 },
        { date: "2010-12-01", rows: 1 },
        { date: "2010-12-02", rows: 3 },
      ],
      empty: 2,
      unparseable: 1,
      example: "2010-12-03",
    });
  });

  it("reads gzip, jsonl and parquet, and the contract's csv options (delimiter, quote, no header)", async () => {
    const gz = await write("export.csv.gz", gzipSync(csv(["12/1/2010 8:26", "12/2/2010 8:26"])));
    expect((await reader.read(gz, RETAIL, "InvoiceDate")).dates.map((d) => d.date)).toEqual([
      "2010-12-01",
      "2010-12-02",
    ]);
    const jsonl = [
      { InvoiceNo: "1", InvoiceDate: "12/1/2010 8:26" },
      { InvoiceNo: "2", InvoiceDate: null },
      { InvoiceNo: "3" },
      { InvoiceNo: "4", InvoiceDate: "12/3/2010 8:26" },
    ]
      .map((row) => JSON.stringify(row))
      .join("\n");
    for (const [name, content] of [
      ["export.jsonl", jsonl],
      ["export.jsonl.gz", gzipSync(jsonl)],
    ] as const) {
      expect(await reader.read(await write(name, content), RETAIL, "InvoiceDate")).toEqual({
        dates: [
          { date: "2010-12-01", rows: 1 },
          { date: "2010-12-03", rows: 1 },
        ],
        empty: 2,
        unparseable: 0,
        example: null,
      });
    }
    const semicolons = contract("InvoiceDate", `csv: { header: false, delimiter: ";", quote: "'" }`);
    const noHeader = await write("export.csv", "1;'12/1/2010 8:26';x;\n2;'12/4/2010 8:26';'a;b';\n");
    expect((await reader.read(noHeader, semicolons, "InvoiceDate")).dates).toEqual([
      { date: "2010-12-01", rows: 1 },
      { date: "2010-12-04", rows: 1 },
    ]);
    // A header names the column in another case: found the way Spark finds it.
    const upper = await write("export.csv", csv(["12/5/2010 8:26"], "INVOICENO,invoicedate,Shipped,Logged"));
    expect((await reader.read(upper, RETAIL, "InvoiceDate")).dates).toEqual([
      { date: "2010-12-05", rows: 1 },
    ]);

    // Parquet: a native timestamp or date column, or text parsed by the contract's format.
    const folder = await tempDir();
    const duckdb = await DuckDBInstance.create(":memory:");
    const connection = await duckdb.connect();
    await connection.run(
      `COPY (SELECT * FROM (VALUES ('1', TIMESTAMP '2010-12-01 08:26', DATE '2010-12-06', '12/7/2010 8:26'),
                                   ('2', TIMESTAMP '2010-12-02 23:59', NULL, 'x'))
             AS t(InvoiceNo, Logged, Shipped, InvoiceDate))
       TO '${join(folder, "export.parquet")}' (FORMAT parquet)`,
    );
    connection.closeSync();
    duckdb.closeSync();
    const parquet = join(folder, "export.parquet");
    expect((await reader.read(parquet, contract("Logged"), "Logged")).dates.map((d) => d.date)).toEqual([
      "2010-12-01",
      "2010-12-02",
    ]);
    expect(await reader.read(parquet, contract("Shipped"), "Shipped")).toMatchObject({
      dates: [{ date: "2010-12-06", rows: 1 }],
      empty: 1,
    });
    expect(await reader.read(parquet, RETAIL, "InvoiceDate")).toMatchObject({
      dates: [{ date: "2010-12-07", rows: 1 }],
      unparseable: 1,
      example: "x",
    });
  });

  it("a date column without a format is yyyy-MM-dd; a timestamp without one is Spark's cast", async () => {
    const path = await write(
      "export.csv",
      "InvoiceNo,InvoiceDate,Shipped,Logged\n1,,2010-12-01,2010-12-01 23:30:00-02:00\n2,,2010-12-1,2010-12-01T10:00:00Z\n",
    );
    expect(await reader.read(path, contract("Shipped"), "Shipped")).toEqual({
      dates: [{ date: "2010-12-01", rows: 1 }],
      empty: 0,
      unparseable: 1,
      example: "2010-12-1",
    });
    expect((await reader.read(path, contract("Logged"), "Logged")).dates).toEqual([
      { date: "2010-12-01", rows: 1 },
      { date: "2010-12-02", rows: 1 },
    ]);
  });

  it("says what is wrong with a file it cannot read for the column", async () => {
    const noColumn = await write("export.csv", "InvoiceNo,When\n1,12/1/2010 8:26\n");
    await expect(reader.read(noColumn, RETAIL, "InvoiceDate")).rejects.toThrow(
      /export\.csv: its header has no column InvoiceDate \(the retail contract's batch_date\.column\)/,
    );
    const corrupt = await write("export.csv.gz", "not gzip at all");
    await expect(reader.read(corrupt, RETAIL, "InvoiceDate")).rejects.toThrow(ColumnDatesError);
    await expect(reader.read(corrupt, RETAIL, "InvoiceDate")).rejects.toThrow(
      /cannot read .*export\.csv\.gz for its batch date \(as csv\)/,
    );
    const other = await write("export.xlsx", "x");
    await expect(reader.read(other, RETAIL, "InvoiceDate")).rejects.toThrow(
      /its name ends with none of the retail contract's extensions \(\.csv, /,
    );
  });
});

describe("the batch date of a file dated by a column: the latest date in it", () => {
  const column = {
    file: "exports/retail.csv",
    column: "InvoiceDate",
    type: "timestamp",
    format: "M/d/yyyy H:mm",
  };
  const found = (
    dates: [string, number][],
    empty = 0,
    unparseable = 0,
    example: string | null = null,
  ): ColumnDates => ({
    dates: dates.map(([date, rows]) => ({ date, rows })),
    empty,
    unparseable,
    example,
  });

  it("one date: that date, nothing to say", () => {
    expect(batchDateFromColumn(found([["2010-12-01", 40]]), column)).toEqual({
      date: "2010-12-01",
      notes: [],
    });
  });

  it("several dates: the latest, saying the range and how many dates; ignored rows are counted", () => {
    expect(
      batchDateFromColumn(
        found(
          [
            ["2010-11-30", 2],
            ["2010-12-01", 40],
            ["2010-12-02", 3],
          ],
          1,
          2,
          "13/45/2010 8:26",
        ),
        column,
      ),
    ).toEqual({
      date: "2010-12-02",
      notes: [
        "exports/retail.csv: InvoiceDate spans 3 dates (2010-11-30 .. 2010-12-02); its batch date is the latest, 2010-12-02 (--date overrides)",
        'exports/retail.csv: 3 rows of InvoiceDate ignored for the batch date: 1 empty, 2 not a timestamp in the format M/d/yyyy H:mm (e.g. "13/45/2010 8:26")',
      ],
    });
  });

  it("no value gives a date: refused, saying why", () => {
    expect(() => batchDateFromColumn(found([], 2, 3, "soon"), column)).toThrow(ValidationError);
    expect(() => batchDateFromColumn(found([], 2, 3, "soon"), column)).toThrow(
      'cannot tell the batch date of exports/retail.csv: no value of its column InvoiceDate gives a date (5 rows: 2 empty, 3 not a timestamp in the format M/d/yyyy H:mm (e.g. "soon")); it was not dropped. Fix the file, or pass --date YYYY-MM-DD',
    );
    expect(() => batchDateFromColumn(found([]), column)).toThrow(/\(the file has no rows\)/);
  });
});
