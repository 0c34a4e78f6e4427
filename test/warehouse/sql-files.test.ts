import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENTITIES } from "../../src/contracts/entities.js";
import { parseCopyJob } from "../../src/warehouse/copy-jobs.js";
import { MAX_TRANSACTION_STATEMENTS, mergePlan, validateRunId } from "../../src/warehouse/merge-plan.js";
import { fillPlaceholders, SQL_FOLDERS, SqlFiles, validateSettings } from "../../src/warehouse/sql-files.js";
import { stripComments } from "../../src/warehouse/sql-text.js";

const files = new SqlFiles(join(import.meta.dirname, "../../sql"));
const settings = {
  load_bucket: "sales-dev-load",
  copy_role_arn: "arn:aws:iam::123456789012:role/sales-copy",
};

describe("the SQL files", () => {
  it("hold one statement each, under a header comment", async () => {
    for (const folder of SQL_FOLDERS) {
      const found = await files.folder(folder);
      expect(found.length, folder).toBeGreaterThan(0);
      for (const file of found) expect(file.text.startsWith("-- "), file.name).toBe(true);
    }
  });

  it("declare one auto-copy job per conformed entity, over its load bucket prefix", async () => {
    const jobs = (await files.folder("copy-jobs")).map((file) =>
      parseCopyJob(fillPlaceholders(file, settings)),
    );
    expect(jobs.map(({ name, table, source }) => ({ name, table, source }))).toEqual(
      ENTITIES.map((entity) => ({
        name: `staging_${entity.name}`,
        table: `staging.${entity.name}`,
        source: `s3://sales-dev-load/${entity.name}/`,
      })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    for (const job of jobs) expect(job.sql).toContain("IAM_ROLE 'arn:aws:iam::123456789012:role/sales-copy'");
  });
});

describe("mergePlan", () => {
  it("fits one BatchExecuteStatement and locks every table it writes first", async () => {
    const plan = await mergePlan(files);
    expect(plan.length).toBeLessThanOrEqual(MAX_TRANSACTION_STATEMENTS);
    expect(plan[0]?.name).toBe("merge/000_lock_targets.sql");
    const locked = stripComments(plan[0]?.sql ?? "")
      .replace(/^\s*LOCK\s+/i, "")
      .split(",")
      .map((table) => table.trim());
    const written = new Set<string>();
    for (const statement of plan.slice(1)) {
      const code = stripComments(statement.sql);
      for (const match of code.matchAll(/\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+([a-z_]+\.[a-z_]+)/gi)) {
        written.add((match[1] as string).toLowerCase());
      }
      expect(statement.sql, statement.name).toMatch(/:run_id\b/);
    }
    for (const table of written) expect(locked, table).toContain(table);
    // Every staging table is cleared for the run at the end.
    for (const entity of ENTITIES) expect(written).toContain(`staging.${entity.name}`);
  });

  it("decides a fact's delete and insert steps on the same rows: the run's slice of one staging view", async () => {
    const plan = await mergePlan(files);
    const incoming = (name: string) => {
      const sql = stripComments(plan.find((statement) => statement.name === name)?.sql ?? "");
      // The rows a step decides on: its `incoming` CTE's FROM and WHERE (the delete selects fewer columns).
      const start = sql.indexOf("WITH incoming AS");
      const cte = sql.slice(start, sql.indexOf("\n)\n", start) + 2);
      return cte.slice(cte.indexOf("    FROM "));
    };
    for (const [step, entity] of [
      ["030", "orders"],
      ["032", "order_items"],
      ["034", "payments"],
    ] as const) {
      const deleted = incoming(`merge/${step}_core_${entity}_delete_superseded.sql`);
      expect(deleted).toContain(`FROM staging.${entity}_newest\n    WHERE _run_id = :run_id`);
      const insertName = `merge/0${Number(step) + 1}_core_${entity}_insert_latest.sql`;
      expect(incoming(insertName), insertName).toBe(deleted);
    }
    const views = (await files.folder("ddl")).filter((file) => file.name.endsWith("_newest.sql"));
    expect(views.map((file) => file.name)).toEqual([
      "ddl/080_staging_orders_newest.sql",
      "ddl/081_staging_order_items_newest.sql",
      "ddl/082_staging_payments_newest.sql",
    ]);
  });

  it("accepts execution-name run ids only", () => {
    expect(validateRunId("run-20170105-3f2a9c1e0b7d")).toBe("run-20170105-3f2a9c1e0b7d");
    for (const bad of ["", "run 1", "run';--", "r".repeat(81), "-run"]) {
      expect(() => validateRunId(bad), bad).toThrow(/run id/);
    }
  });
});

describe("placeholders", () => {
  /** `${name}` as the SQL files spell it (built so that no string here looks like a broken template). */
  const ph = (name: string) => `$${"{"}${name}}`;
  const statement = {
    name: "copy-jobs/x.sql",
    sql: `COPY a.b FROM 's3://${ph("load_bucket")}/x/' IAM_ROLE '${ph("copy_role_arn")}'`,
  };

  it("are filled from validated settings", () => {
    expect(fillPlaceholders(statement, settings).sql).toBe(
      "COPY a.b FROM 's3://sales-dev-load/x/' IAM_ROLE 'arn:aws:iam::123456789012:role/sales-copy'",
    );
  });

  it("refuse bad values, unknown names and placeholders outside string literals", () => {
    expect(() => validateSettings({ ...settings, load_bucket: "my.bucket" })).toThrow(/load_bucket/);
    expect(() => validateSettings({ ...settings, copy_role_arn: "role/x" })).toThrow(/copy_role_arn/);
    expect(() => validateSettings({ ...settings, extra: "x" })).toThrow(/warehouse settings/);
    expect(() => fillPlaceholders({ name: "a.sql", sql: `SELECT '${ph("nope")}'` }, settings)).toThrow(
      /unknown placeholder/,
    );
    expect(() =>
      fillPlaceholders({ name: "a.sql", sql: `SELECT * FROM ${ph("load_bucket")}` }, settings),
    ).toThrow(/inside a string literal/);
  });
});
