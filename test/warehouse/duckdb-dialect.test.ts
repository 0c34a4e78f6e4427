import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DUCKDB_MACROS, toDuckDb } from "../../src/warehouse/duckdb-dialect.js";

const translate = (sql: string) => toDuckDb({ name: "t.sql", sql });

describe("toDuckDb", () => {
  it("drops Redshift physical design clauses and keeps everything else", () => {
    const sql = `CREATE TABLE IF NOT EXISTS core.orders (
    order_id VARCHAR(64) NOT NULL ENCODE RAW,
    n INTEGER ENCODE az64,
    note VARCHAR(16) DEFAULT 'ENCODE zstd'
)
DISTSTYLE KEY
DISTKEY (order_id)
COMPOUND SORTKEY (order_id, n)`;
    expect(translate(sql)).toEqual({
      kind: "sql",
      name: "t.sql",
      parameters: [],
      sql: `CREATE TABLE IF NOT EXISTS core.orders (
    order_id VARCHAR(64) NOT NULL ,
    n INTEGER ,
    note VARCHAR(16) DEFAULT 'ENCODE zstd'
)


`,
    });
    expect(translate("CREATE TABLE a (x INT) DISTSTYLE ALL SORTKEY (x)")).toMatchObject({
      sql: "CREATE TABLE a (x INT)  ",
    });
    expect(translate("CREATE TABLE a (x INT) INTERLEAVED SORTKEY (x, y)")).toMatchObject({
      sql: "CREATE TABLE a (x INT) ",
    });
  });

  it("turns :name parameters into $name and lists them", () => {
    expect(translate("DELETE FROM s.t WHERE _run_id = :run_id AND c::INT = 1 -- :x")).toEqual({
      kind: "sql",
      name: "t.sql",
      parameters: ["run_id"],
      sql: "DELETE FROM s.t WHERE _run_id = $run_id AND c::INT = 1 -- :x",
    });
  });

  it("quotes DATEDIFF's date part", () => {
    expect(translate("SELECT DATEDIFF(DAY, a, b), datediff( month , a, b) FROM t")).toMatchObject({
      sql: "SELECT DATEDIFF('day', a, b), DATEDIFF('month', a, b) FROM t",
    });
  });

  it("skips roles and grants, which DuckDB does not have", () => {
    for (const sql of [
      "-- a role\nCREATE ROLE pipeline_runtime",
      "GRANT USAGE ON SCHEMA staging TO ROLE pipeline_runtime",
      "ALTER DEFAULT PRIVILEGES IN SCHEMA star GRANT SELECT ON TABLES TO ROLE pipeline_runtime",
      "GRANT ROLE sys:monitor TO ROLE pipeline_runtime",
    ]) {
      expect(translate(sql), sql).toEqual({
        kind: "skip",
        name: "t.sql",
        reason: "roles and grants do not exist in DuckDB",
      });
    }
    expect(translate("SELECT 'GRANT' AS word")).toMatchObject({ kind: "sql" });
  });

  it("recognises LOCK and COPY JOB statements", () => {
    expect(translate("-- lock\nLOCK\nstaging.a,\ncore.b")).toEqual({
      kind: "lock",
      name: "t.sql",
      tables: ["staging.a", "core.b"],
    });
    const copy =
      "COPY staging.orders\nFROM 's3://sales-load/orders/'\nIAM_ROLE 'arn:aws:iam::123456789012:role/copy'\n" +
      "FORMAT AS PARQUET\nJOB CREATE staging_orders AUTO ON";
    expect(translate(copy)).toEqual({
      kind: "copy-job",
      name: "t.sql",
      job: { name: "staging_orders", table: "staging.orders", source: "s3://sales-load/orders/", sql: copy },
    });
  });
});

describe("Redshift function macros", () => {
  let instance: DuckDBInstance;
  const query = async (sql: string) => {
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJson();
    } finally {
      connection.closeSync();
    }
  };

  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:");
    for (const macro of DUCKDB_MACROS) await query(macro);
  });
  afterAll(() => instance.closeSync());

  it("STRTOL reads base-16 text like Redshift, and refuses other bases", async () => {
    expect(
      await query("SELECT strtol('ff', 16) AS a, strtol('0', 16) AS b, strtol('fffffffffffffff', 16) AS c"),
    ).toEqual([{ a: "255", b: "0", c: "1152921504606846975" }]);
    await expect(query("SELECT strtol('10', 10)")).rejects.toThrow(/base 16 only/);
  });

  it("GETDATE is the current UTC time without time zone, to the second", async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const [row] = await query("SELECT CAST(getdate() AS VARCHAR) AS now, typeof(getdate()) AS type");
    expect(row?.type).toBe("TIMESTAMP");
    const at = Date.parse(`${String(row?.now).replace(" ", "T")}Z`);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(String(row?.now)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it("DATEDIFF counts date boundaries, as Redshift's does", async () => {
    const sql = toDuckDb({
      name: "d.sql",
      sql:
        "SELECT DATEDIFF(DAY, TIMESTAMP '2017-01-01 23:00:00', TIMESTAMP '2017-01-02 01:00:00') AS one, " +
        "DATEDIFF(DAY, TIMESTAMP '2017-01-02 01:00:00', TIMESTAMP '2017-01-01 23:00:00') AS minus_one, " +
        "DATEDIFF(DAY, TIMESTAMP '2017-01-01 00:00:00', TIMESTAMP '2017-01-01 23:59:59') AS zero",
    });
    expect(sql.kind).toBe("sql");
    expect(await query((sql as { sql: string }).sql)).toEqual([{ one: "1", minus_one: "-1", zero: "0" }]);
  });
});
