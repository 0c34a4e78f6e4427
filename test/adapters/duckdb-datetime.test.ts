import { spawn } from "node:child_process";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateOfTextSql } from "../../src/adapters/local/duckdb-datetime.js";
import { patternPieces, UnreadablePatternError } from "../../src/contracts/datetime-pattern.js";

/**
 * The date a value gives under a contract column's type and Spark datetime pattern, read by DuckDB for `pipeline
 * drop` (duckdb-datetime.ts), must be the date the Spark job gives it (its `typed_value`, session time zone UTC):
 * null where Spark does not parse the value. The expected dates below are Spark 3.5's; the last test asks Spark.
 */
interface Case {
  readonly value: string;
  readonly type: "date" | "timestamp";
  readonly format: string | null;
  /** The UTC date Spark gives, or null. */
  readonly date: string | null;
}

const CASES: readonly Case[] = [
  // The UCI Online Retail export: single letters take one or two digits.
  { value: "12/1/2010 8:26", type: "timestamp", format: "M/d/yyyy H:mm", date: "2010-12-01" },
  { value: "12/1/2010 08:26", type: "timestamp", format: "M/d/yyyy H:mm", date: "2010-12-01" },
  { value: "1/31/2011 17:05", type: "timestamp", format: "M/d/yyyy H:mm", date: "2011-01-31" },
  { value: "12/1/2010 8:6", type: "timestamp", format: "M/d/yyyy H:mm", date: null },
  { value: "12/1/10 8:26", type: "timestamp", format: "M/d/yyyy H:mm", date: null },
  { value: " 12/1/2010 8:26", type: "timestamp", format: "M/d/yyyy H:mm", date: null },
  { value: "12/1/2010 8:26 ", type: "timestamp", format: "M/d/yyyy H:mm", date: null },
  { value: "13/1/2010 8:26", type: "timestamp", format: "M/d/yyyy H:mm", date: null },
  { value: "2/30/2011 8:26", type: "timestamp", format: "M/d/yyyy H:mm", date: null },
  { value: "not a date", type: "timestamp", format: "M/d/yyyy H:mm", date: null },
  // Double letters take exactly two digits.
  { value: "01/05/2010 8:26", type: "timestamp", format: "MM/dd/yyyy H:mm", date: "2010-01-05" },
  { value: "1/5/2010 8:26", type: "timestamp", format: "MM/dd/yyyy H:mm", date: null },
  { value: "12/1/2010 8:26", type: "timestamp", format: "M/d/yyyy HH:mm", date: null },
  // Two-digit years are 2000-2099.
  { value: "12/1/10 8:26", type: "timestamp", format: "M/d/yy H:mm", date: "2010-12-01" },
  { value: "12/1/75 8:26", type: "timestamp", format: "M/d/yy H:mm", date: "2075-12-01" },
  { value: "12/1/2010 8:26", type: "timestamp", format: "M/d/yy H:mm", date: null },
  // Fractions, 12-hour clocks, month names (any case), quoted text, zone offsets (the UTC day).
  {
    value: "2010-01-05 10:00:00.12",
    type: "timestamp",
    format: "yyyy-MM-dd HH:mm:ss.SSS",
    date: "2010-01-05",
  },
  { value: "2010-01-05 10:00:00.1234", type: "timestamp", format: "yyyy-MM-dd HH:mm:ss.SSS", date: null },
  { value: "1/5/2010 1:05 pm", type: "timestamp", format: "M/d/yyyy h:mm a", date: "2010-01-05" },
  { value: "05 jan 2010", type: "date", format: "dd MMM yyyy", date: "2010-01-05" },
  { value: "05 JANUARY 2010", type: "date", format: "dd MMMM yyyy", date: "2010-01-05" },
  { value: "05 Jnu 2010", type: "date", format: "dd MMM yyyy", date: null },
  {
    value: "2010-01-05T23:30:00+02:00",
    type: "timestamp",
    format: "yyyy-MM-dd'T'HH:mm:ssXXX",
    date: "2010-01-05",
  },
  {
    value: "2010-01-05T23:30:00-02:00",
    type: "timestamp",
    format: "yyyy-MM-dd'T'HH:mm:ssXXX",
    date: "2010-01-06",
  },
  {
    value: "2010-01-05T23:30:00Z",
    type: "timestamp",
    format: "yyyy-MM-dd'T'HH:mm:ssXXX",
    date: "2010-01-05",
  },
  {
    value: "2010-01-05T23:30:00-0200",
    type: "timestamp",
    format: "yyyy-MM-dd'T'HH:mm:ssZ",
    date: "2010-01-06",
  },
  { value: "20100105", type: "date", format: "yyyyMMdd", date: "2010-01-05" },
  { value: "2010-005", type: "date", format: "yyyy-DDD", date: "2010-01-05" },
  { value: "on 05/01/2010", type: "date", format: "'on' dd/MM/yyyy", date: "2010-01-05" },
  // A date without a format is yyyy-MM-dd; a timestamp without one is Spark's cast (ISO 8601 shapes, UTC).
  { value: "2010-01-05", type: "date", format: null, date: "2010-01-05" },
  { value: "2010-1-5", type: "date", format: null, date: null },
  { value: "2010-02-30", type: "date", format: null, date: null },
  { value: "2010-01-05 10:00:00", type: "date", format: null, date: null },
  { value: "2010-01-05 23:30:00", type: "timestamp", format: null, date: "2010-01-05" },
  { value: "2010-01-05T23:30:00Z", type: "timestamp", format: null, date: "2010-01-05" },
  { value: "2010-01-05 23:30:00-05:00", type: "timestamp", format: null, date: "2010-01-06" },
  { value: " 2010-01-05 ", type: "timestamp", format: null, date: "2010-01-05" },
  { value: "2010/01/05", type: "timestamp", format: null, date: null },
  { value: "2010-01-05 10:00", type: "timestamp", format: null, date: "2010-01-05" },
  { value: "2010-01-05T10:00:00.123456Z", type: "timestamp", format: null, date: "2010-01-05" },
  { value: "2010", type: "timestamp", format: null, date: "2010-01-01" },
  { value: "2010-3", type: "timestamp", format: null, date: "2010-03-01" },
  { value: "20100105", type: "timestamp", format: null, date: null },
];

let duckdb: DuckDBInstance;
beforeAll(async () => {
  duckdb = await DuckDBInstance.create(":memory:");
});
afterAll(() => duckdb?.closeSync());

const duckDbDates = async (cases: readonly Case[]): Promise<(string | null)[]> => {
  const connection = await duckdb.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const dates: (string | null)[] = [];
    for (const { value, type, format } of cases) {
      const reader = await connection.runAndReadAll(
        `SELECT strftime(${dateOfTextSql("$1", { type, format })}, '%Y-%m-%d') AS date`,
        [value],
      );
      const [row] = reader.getRowObjectsJS() as { date: string | null }[];
      dates.push(row?.date ?? null);
    }
    return dates;
  } finally {
    connection.closeSync();
  }
};

/** The dates the Spark job's own typing (`typed_value`) gives the cases, in a short local session. */
const sparkDates = (cases: readonly Case[]): Promise<(string | null)[]> => {
  const root = process.cwd();
  const script = `
import json, sys
from pyspark.sql import SparkSession
from pipeline_spark.contracts import SourceColumn
from pipeline_spark.session import RUN_CONF
from pipeline_spark.validation import typed_value
builder = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
for key, value in RUN_CONF.items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = []
for case in json.load(sys.stdin):
    column = SourceColumn("v", case["type"], case["format"], False)
    row = spark.sql(
        f"SELECT CAST(to_date({typed_value(':v', column)}) AS STRING) AS d", args={"v": case["value"]}
    ).collect()[0]
    out.append(row.d)
print(json.dumps(out))
`;
  return new Promise((resolve, reject) => {
    const python = join(root, ".venv", "bin", "python");
    const child = spawn(python, ["-c", script], {
      env: { ...process.env, PYTHONPATH: join(root, "spark", "src"), PYSPARK_PYTHON: python },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`spark exited ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "[]"));
    });
    child.stdin.end(JSON.stringify(cases));
  });
};

describe("a date or timestamp text read by DuckDB as the Spark job reads it", () => {
  it("gives each case the date Spark gives it, null where Spark does not parse it", async () => {
    expect(await duckDbDates(CASES)).toEqual(CASES.map((c) => c.date));
  });

  it("agrees with the Spark job's own typing on every case", { timeout: 180_000 }, async () => {
    expect(await sparkDates(CASES)).toEqual(CASES.map((c) => c.date));
  });
});

describe("Spark datetime patterns read outside Spark", () => {
  it("splits a pattern into fields and literal text (quoted text, '' for a quote)", () => {
    expect(patternPieces("M/d/yyyy H:mm")).toEqual([
      { kind: "field", letter: "M", width: 1 },
      { kind: "text", text: "/" },
      { kind: "field", letter: "d", width: 1 },
      { kind: "text", text: "/" },
      { kind: "field", letter: "y", width: 4 },
      { kind: "text", text: " " },
      { kind: "field", letter: "H", width: 1 },
      { kind: "text", text: ":" },
      { kind: "field", letter: "m", width: 2 },
    ]);
    expect(patternPieces("yyyy-MM-dd'T'HH''mm").filter((piece) => piece.kind === "text")).toEqual([
      { kind: "text", text: "-" },
      { kind: "text", text: "-" },
      { kind: "text", text: "T" },
      { kind: "text", text: "'" },
    ]);
  });

  it("refuses, with the reason, what it cannot read the way Spark does", () => {
    const problem = (pattern: string): string => {
      try {
        patternPieces(pattern);
        return "accepted";
      } catch (error) {
        if (!(error instanceof UnreadablePatternError)) throw error;
        return error.problem;
      }
    };
    expect(problem("EEE, d MMM yyyy")).toMatch(/^"E" is not a pattern letter that can be read outside Spark/);
    expect(problem("yyy-MM-dd")).toBe('"yyy": year is read as y, yy, yyyy');
    expect(problem("yyyy-MM-dd[ HH:mm]")).toMatch(/optional sections/);
    expect(problem("yyyy-MM-dd 'at")).toMatch(/never closed/);
    expect(problem("MM-dd HH:mm")).toMatch(/does not give a calendar date/);
    expect(problem("yyyy-MM")).toMatch(/does not give a calendar date/);
    expect(problem("yyyy-MM-dd yyyy")).toMatch(/the year appears more than once/);
    expect(problem("yyyy-MM-dd HH:mmXXX Z")).toMatch(/more than one zone offset/);
    expect(problem("yyyy-DDD")).toBe("accepted");
  });
});
