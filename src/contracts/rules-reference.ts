import { z } from "zod";
import { qualityRuleSchema, ROW_LEVEL_RULES } from "./schema.js";

/** The JSON Schema fragments the reference reads (what `z.toJSONSchema` writes for the rule schemas). */
interface PropertySchema {
  readonly type?: string;
  readonly const?: string;
  readonly enum?: readonly string[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly minItems?: number;
  readonly pattern?: string;
  readonly items?: PropertySchema;
  readonly description?: string;
}

interface RuleSchema {
  readonly properties: Readonly<Record<string, PropertySchema>>;
  readonly required?: readonly string[];
  readonly description?: string;
  readonly examples?: readonly string[];
}

const typeOf = (property: PropertySchema): string => {
  if (property.enum) return property.enum.map((value) => `\`${value}\``).join(" or ");
  if (property.type === "array") return `list of ${property.items ? typeOf(property.items) : "values"}`;
  if (property.type === "integer") return "integer";
  return property.type ?? "any";
};

const constraintsOf = (property: PropertySchema): string => {
  const parts: string[] = [];
  if (property.minimum !== undefined) parts.push(`>= ${property.minimum}`);
  if (property.exclusiveMinimum !== undefined) parts.push(`> ${property.exclusiveMinimum}`);
  if (property.maximum !== undefined) parts.push(`<= ${property.maximum}`);
  if (property.minItems !== undefined) parts.push(`at least ${property.minItems}`);
  if (property.pattern !== undefined) parts.push(`matches \`${property.pattern}\``);
  return parts.join(", ");
};

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * The reference of every quality rule a contract may declare, generated from the contract schema
 * (src/contracts/schema.ts): parameters with their type, whether required, default, constraints and meaning,
 * and an example. `docs/contract-rules.md` is this text; a test keeps the two equal.
 *
 * @example
 *   rulesReference().startsWith("# Contract quality rules"); // true
 */
export const rulesReference = (): string => {
  const schema = z.toJSONSchema(qualityRuleSchema, { io: "input" }) as { oneOf: RuleSchema[] };
  const rowLevel = new Set<string>(ROW_LEVEL_RULES);
  const lines = [
    "# Contract quality rules",
    "",
    "Generated from `src/contracts/schema.ts` by `pipeline contracts rules` (a test keeps this file equal to it).",
    "Every rule goes in a contract's `quality:` list. Row-level rules are decided per row in the Spark job",
    "(with severity `error` a failing row is quarantined as `rule_violation`); batch-level rules are decided by",
    "the CheckQuality step over the run's metrics (with severity `error` a breach stops the source at the gate).",
    "",
  ];
  for (const rule of schema.oneOf) {
    const name = rule.properties.rule?.const ?? "(unnamed)";
    const required = new Set(rule.required ?? []);
    lines.push(`## \`${name}\` (${rowLevel.has(name) ? "row-level" : "batch-level"})`, "");
    if (rule.description) lines.push(rule.description, "");
    lines.push(
      "| parameter | type | required | default | constraints | meaning |",
      "|---|---|---|---|---|---|",
    );
    for (const [parameter, property] of Object.entries(rule.properties)) {
      if (parameter === "rule") continue;
      const fallback = property.default === undefined ? "" : `\`${JSON.stringify(property.default)}\``;
      lines.push(
        `| \`${parameter}\` | ${cell(typeOf(property))} | ${required.has(parameter) ? "yes" : "no"} | ${fallback} | ` +
          `${cell(constraintsOf(property))} | ${cell(property.description ?? "")} |`,
      );
    }
    lines.push("");
    for (const example of rule.examples ?? []) lines.push("```yaml", `quality:\n  - ${example}`, "```", "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
};
