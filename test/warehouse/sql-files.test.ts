import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENTITIES } from "../../src/contracts/entities.js";
import { parseCopyJob } from "../../src/warehouse/copy-jobs.js";
import {
  boundMergePlan,
  MAX_TRANSACTION_STATEMENTS,
  mergePlan,
  validateRunId,
} from "../../src/warehouse/merge-plan.js";
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

  it("replaces a file's rows in every core table on the same files: those whose newest version this merge recorded", async () => {
    const plan = await mergePlan(files);
    const code = (prefix: string) => {
      const statement = plan.find((s) => s.name.startsWith(`merge/${prefix}_`));
      if (!statement) throw new Error(`no merge step ${prefix}`);
      return { name: statement.name, sql: stripComments(statement.sql) };
    };
    const steps = [
      ["011", "020", "customers", "staging.customers"],
      ["012", "021", "products", "staging.products"],
      ["013", "022", "sellers", "staging.sellers"],
      ["014", "023", "category_translation", "staging.category_translation"],
      ["030", "031", "orders", "staging.orders_newest"],
      ["032", "033", "order_items", "staging.order_items_newest"],
      ["034", "035", "payments", "staging.payments_newest"],
    ] as const;
    for (const [deleteStep, insertStep, entity, staged] of steps) {
      const deleted = code(deleteStep);
      expect(deleted.sql, deleted.name).toContain(
        [
          `DELETE FROM core.${entity}`,
          "USING core.current_source_objects AS replaced",
          "WHERE",
          "    replaced.run_id = :run_id",
          "    AND replaced.merge_id = :merge_id",
          `    AND replaced.entity_name = '${entity}'`,
          `    AND core.${entity}._source_file = replaced.source_file`,
        ].join("\n"),
      );
      const inserted = code(insertStep);
      expect(inserted.sql, inserted.name).toContain(
        [
          `    FROM ${staged}`,
          "    WHERE",
          "        _run_id = :run_id",
          "        AND _source_file IN (",
          "            SELECT current_files.source_file",
          "            FROM core.current_source_objects AS current_files",
          "            WHERE",
          "                current_files.run_id = :run_id",
          "                AND current_files.merge_id = :merge_id",
          `                AND current_files.entity_name = '${entity}'`,
          "        )",
        ].join("\n"),
      );
    }
    // The facts' staging views rank per run, key and source file (ddl/100-102 replace 080-082).
    const views = (await files.folder("ddl")).filter((file) => /_newest(_per_file)?\.sql$/.test(file.name));
    expect(views.map((file) => file.name)).toEqual([
      "ddl/080_staging_orders_newest.sql",
      "ddl/081_staging_order_items_newest.sql",
      "ddl/082_staging_payments_newest.sql",
      "ddl/100_staging_orders_newest_per_file.sql",
      "ddl/101_staging_order_items_newest_per_file.sql",
      "ddl/102_staging_payments_newest_per_file.sql",
    ]);
  });

  it("records the run's file versions in one statement, one template row per object, or not at all", async () => {
    const objects = [
      { sourceFile: "s3://raw/orders/dt=2017-01-05/o.csv", entity: "orders", version: "001796591735123:" },
      {
        sourceFile: "s3://raw/payments/dt=2017-01-05/p.csv",
        entity: "payments",
        version: "001796591735124:",
      },
    ];
    const bound = await boundMergePlan(files, "run-1", objects);
    expect(bound.statements).toHaveLength((await mergePlan(files)).length);
    const record = bound.statements.find((s) => s.name === "merge/005_core_source_objects.sql");
    expect(record?.sql).toContain(
      [
        "WITH run_objects AS (",
        "    SELECT",
        "        CAST(:o0_source_file AS VARCHAR(1024)) AS source_file,",
        "        CAST(:o0_entity_name AS VARCHAR(64)) AS entity_name,",
        "        CAST(:o0_version AS VARCHAR(64)) AS version_token",
        "    UNION ALL",
        "    SELECT :o1_source_file, :o1_entity_name, :o1_version",
        "),",
      ].join("\n"),
    );
    expect(bound.params).toEqual({
      run_id: "run-1",
      merge_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      o0_source_file: "s3://raw/orders/dt=2017-01-05/o.csv",
      o0_entity_name: "orders",
      o0_version: "001796591735123:",
      o1_source_file: "s3://raw/payments/dt=2017-01-05/p.csv",
      o1_entity_name: "payments",
      o1_version: "001796591735124:",
    });
    // The largest run the trigger makes (BATCH_MAX_FILES = 200), each file feeding four entities, stays far below
    // the Data API's 100 KB statement size.
    const many = Array.from({ length: 800 }, (_, index) => ({
      sourceFile: `s3://sales-pipeline-prod-raw/sales_export/dt=2017-01-05/export-${index}.csv`,
      entity: "order_items",
      version: "001796591735123:000000000000000055AED6DCD90281E5",
    }));
    const large = (await boundMergePlan(files, "run-1", many)).statements.find((s) =>
      s.name.endsWith("005_core_source_objects.sql"),
    );
    expect(large?.sql.length).toBeLessThan(70_000);
    const none = await boundMergePlan(files, "run-1", []);
    expect(none.statements.map((s) => s.name)).not.toContain("merge/005_core_source_objects.sql");
    expect(none.params.merge_id).not.toBe(bound.params.merge_id);
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
