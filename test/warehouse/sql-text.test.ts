import { describe, expect, it } from "vitest";
import {
  parameterNames,
  replaceParameters,
  segments,
  singleStatement,
  splitStatements,
  stripComments,
} from "../../src/warehouse/sql-text.js";

describe("segments", () => {
  it("separates code, literals, quoted identifiers and comments", () => {
    expect(segments(`SELECT 'it''s', "a""b" -- c\n/* d */ x`)).toEqual([
      { kind: "code", text: "SELECT " },
      { kind: "string", text: "'it''s'" },
      { kind: "code", text: ", " },
      { kind: "identifier", text: '"a""b"' },
      { kind: "code", text: " " },
      { kind: "comment", text: "-- c" },
      { kind: "code", text: "\n" },
      { kind: "comment", text: "/* d */" },
      { kind: "code", text: " x" },
    ]);
  });
});

describe("parameters", () => {
  const sql =
    "SELECT CAST(:run_id AS VARCHAR), x::INT, ':not_me' -- :nor_me\nFROM t WHERE a = :other AND b = :run_id";

  it("finds named parameters outside literals and comments, ignoring :: casts", () => {
    expect(parameterNames(sql)).toEqual(["run_id", "other"]);
  });

  it("rewrites only parameter markers", () => {
    expect(replaceParameters(sql, (name) => `$${name}`)).toBe(
      "SELECT CAST($run_id AS VARCHAR), x::INT, ':not_me' -- :nor_me\nFROM t WHERE a = $other AND b = $run_id",
    );
  });
});

describe("splitStatements", () => {
  it("splits on semicolons in code only, keeps each statement's comments, drops a trailing comment", () => {
    expect(
      splitStatements(
        "-- head; not a split\nLOCK a.t;\n-- why\nUPDATE a.t SET x = ';' /* ; */;\nDROP VIEW a.v; -- noqa\n",
        "x.sql",
      ),
    ).toEqual(["-- head; not a split\nLOCK a.t", "-- why\nUPDATE a.t SET x = ';' /* ; */", "DROP VIEW a.v"]);
    expect(splitStatements("SELECT 1", "x.sql")).toEqual(["SELECT 1"]);
    expect(() => splitStatements("-- nothing;\n;\n", "none.sql")).toThrow(/none.sql: no SQL statement/);
  });
});

describe("singleStatement", () => {
  it("drops the final semicolon and a trailing comment", () => {
    expect(singleStatement("-- head\nSELECT ';' AS x; -- noqa: PRS\n", "a.sql")).toBe(
      "-- head\nSELECT ';' AS x",
    );
  });

  it("refuses two statements, and a file without one", () => {
    expect(() => singleStatement("SELECT 1; SELECT 2;", "two.sql")).toThrow(/exactly one statement/);
    expect(() => singleStatement("-- only a comment\n", "none.sql")).toThrow(/no SQL statement/);
  });

  it("strips comments but keeps literals", () => {
    expect(stripComments("SELECT '--x' -- y\n")).toBe("SELECT '--x' \n");
  });
});
