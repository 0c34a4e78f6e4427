import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  PACKAGE_TIMEOUT_MS,
  packageDir,
  packagedTemplate,
  prop,
  ROOT,
  resourcesOfType,
  type Template,
} from "./support/template.js";
import { readZip } from "./support/zip.js";

/** SQL each function reads at run time, packaged beside its bundle (sql/<folder>/*.sql). */
const SQL_FOLDERS: Record<string, string[]> = {
  "await-load": ["sql/checks/"],
  merge: ["sql/merge/", "sql/checks/"],
  "verify-load": ["sql/checks/"],
  "record-run": ["sql/ops/"],
  "migrate-warehouse": ["sql/ddl/", "sql/copy-jobs/", "sql/analytics/"],
};

describe("function packages (dev)", () => {
  let template: Template;
  beforeAll(() => {
    template = packagedTemplate("dev");
  }, PACKAGE_TIMEOUT_MS);

  const functionNames = () =>
    resourcesOfType(template, "AWS::Lambda::Function").map(([, fn]) =>
      String(prop(fn, "Properties.FunctionName")).replace(/^sales-pipeline-dev-/, ""),
    );

  it("has one zip per function", () => {
    for (const name of functionNames()) {
      expect(existsSync(path.join(packageDir("dev"), `${name}.zip`)), name).toBe(true);
    }
  });

  it("bundles each handler into one minified CommonJS file, without its source map, and nothing else of the code", () => {
    for (const name of functionNames()) {
      const entries = readZip(path.join(packageDir("dev"), `${name}.zip`));
      const code = entries.filter((e) => !e.name.startsWith("sql/"));
      const handler = String(
        prop(template.Resources[`${toLogical(name)}LambdaFunction`], "Properties.Handler"),
      );
      const base = handler.slice(0, handler.lastIndexOf("."));
      expect(code.map((e) => e.name).sort(), name).toEqual([`${base}.cjs`]);
      const bundle =
        code
          .find((e) => e.name.endsWith(".cjs"))
          ?.read()
          .toString("utf8") ?? "";
      // Minified: very few lines for its size; no link to a map that is not there.
      expect(bundle.split("\n").length, name).toBeLessThan(Math.max(50, bundle.length / 2000));
      expect(bundle, name).not.toMatch(/sourceMappingURL/);
      // The local stage's engines never travel to the cloud.
      expect(bundle, name).not.toMatch(/@duckdb\/node-api|aws-local-stepfunctions/);
    }
  });

  // Issue 13: each function's zip is at most 500 KB (they were 0.6-0.8 MB with their maps inside).
  it("keeps every function's zip at or under 500 KB", () => {
    for (const name of functionNames()) {
      const size = statSync(path.join(packageDir("dev"), `${name}.zip`)).size;
      expect(size, name).toBeLessThanOrEqual(500 * 1024);
    }
  });

  it("keeps each source map outside the zip, in the build folder, to decode a stack trace offline", () => {
    for (const name of functionNames()) {
      const map = path.join(ROOT, ".build/esbuild-dev/.build/functions", name, "handler.cjs.map");
      expect(existsSync(map), map).toBe(true);
    }
  });

  it.each(Object.entries(SQL_FOLDERS))("packages the SQL %s reads", (name, folders) => {
    const names = readZip(path.join(packageDir("dev"), `${name}.zip`)).map((e) => e.name);
    for (const folder of folders) {
      expect(
        names.some((n) => n.startsWith(folder) && n.endsWith(".sql")),
        `${name}: ${folder}`,
      ).toBe(true);
    }
  });
});

/** serverless' logical id prefix of a function: plan-batch -> PlanDashbatch. */
const toLogical = (name: string): string =>
  name
    .split("-")
    .map((part, i) => (i === 0 ? part[0]?.toUpperCase() + part.slice(1) : part))
    .join("Dash");
