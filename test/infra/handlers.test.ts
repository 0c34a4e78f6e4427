import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { ROOT } from "./support/template.js";

interface Declared {
  readonly handler: string;
}

const config = YAML.parse(readFileSync(path.join(ROOT, "serverless.yml"), "utf8"), {
  logLevel: "silent",
}) as {
  functions: Record<string, Declared>;
};
const declared = Object.entries(config.functions);

/** The functions the architecture fixes (one folder each under functions/). */
const EXPECTED_FUNCTIONS = [
  "trigger",
  "plan-batch",
  "check-quality",
  "publish",
  "await-load",
  "merge",
  "verify-load",
  "quarantine-run",
  "notify",
  "record-run",
  "migrate-warehouse",
  "scheduled-run",
];

describe("functions declared in serverless.yml", () => {
  it("are exactly the pipeline's functions", () => {
    expect(declared.map(([name]) => name).sort()).toEqual([...EXPECTED_FUNCTIONS].sort());
  });

  it.each(declared)("%s points at functions/<name>/handler.handler", (name, fn) => {
    expect(fn.handler).toBe(`functions/${name}/handler.handler`);
  });

  // A missing handler must fail the suite by name: the template tests package a placeholder in its place so
  // that the wiring can still be checked, and this is where that placeholder is refused.
  it.each(declared)("%s has its handler file, exporting `handler`", (name) => {
    const file = path.join(ROOT, "functions", name, "handler.ts");
    expect(existsSync(file), `functions/${name}/handler.ts does not exist`).toBe(true);
    const source = readFileSync(file, "utf8");
    expect(source).toMatch(
      /export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/,
    );
  });
});
