import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, "../../..");
export const STAGES = ["dev", "prod"] as const;
export type Stage = (typeof STAGES)[number];

/** Packaging can take a while on a cold machine (esbuild + zips for every function). */
export const PACKAGE_TIMEOUT_MS = 300_000;

export interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/**
 * Packages the stage offline unless its output is current (infra/scripts/package-stage.mjs decides), then
 * returns the generated template. Safe to call from several test files at once: the script takes a lock.
 *
 * @example
 *   const template = packagedTemplate("dev");
 */
export const packagedTemplate = (stage: Stage): Template => {
  execFileSync(process.execPath, [path.join(ROOT, "infra/scripts/package-stage.mjs"), "--stage", stage], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const file = path.join(ROOT, ".build/infra", stage, "cloudformation-template-update-stack.json");
  if (!existsSync(file)) throw new Error(`packaging ${stage} produced no template at ${file}`);
  return JSON.parse(readFileSync(file, "utf8")) as Template;
};

export const packageDir = (stage: Stage): string => path.join(ROOT, ".build/infra", stage);

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The resource with this logical id, failing with the id when it is missing. */
export const resource = (template: Template, logicalId: string): Resource => {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the template`);
  return found;
};

export const resourcesOfType = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** A property path such as "Properties.Environment.Variables" of a resource, as unknown. */
export const prop = (value: unknown, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((current, key) => {
    if (current === null || typeof current !== "object") return undefined;
    return (current as Record<string, unknown>)[key];
  }, value);

/** Every policy statement of an IAM role (inline policies). */
export const roleStatements = (template: Template, roleId: string): Statement[] => {
  const role = resource(template, roleId);
  if (role.Type !== "AWS::IAM::Role") throw new Error(`${roleId} is a ${role.Type}, not a role`);
  const policies = asArray(
    prop(role, "Properties.Policies") as { PolicyDocument: { Statement: Statement[] } }[],
  );
  // Policies attached from outside (AWS::IAM::Policy naming the role), used where an inline one would be a cycle.
  const attached = Object.values(template.Resources).filter(
    (other) =>
      other.Type === "AWS::IAM::Policy" &&
      asArray(prop(other, "Properties.Roles") as unknown[]).some((r) => show(r) === `Ref(${roleId})`),
  );
  return [
    ...policies.flatMap((policy) => policy.PolicyDocument.Statement),
    ...attached.flatMap((policy) => prop(policy, "Properties.PolicyDocument.Statement") as Statement[]),
  ];
};

/**
 * A CloudFormation value written as a short, comparable string: Ref X -> "Ref(X)", GetAtt -> "GetAtt(X.Attr)",
 * Sub -> the Sub string, Join/If -> a readable form. Literal strings are returned as they are.
 */
export const show = (value: unknown): string => {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const [key, inner] = entries[0] ?? [];
    if (entries.length === 1 && key === "Ref") return `Ref(${String(inner)})`;
    if (entries.length === 1 && key === "Fn::GetAtt")
      return `GetAtt(${asArray(inner as string[]).join(".")})`;
    if (entries.length === 1 && key === "Fn::Sub") {
      if (typeof inner === "string") return inner;
      const [text, vars] = inner as [string, Record<string, unknown>];
      return Object.entries(vars).reduce((acc, [name, v]) => acc.replaceAll(`\${${name}}`, show(v)), text);
    }
    if (entries.length === 1 && key?.startsWith("Fn::")) return `${key.slice(4)}(${show(inner)})`;
    return `{${entries.map(([k, v]) => `${k}: ${show(v)}`).join(", ")}}`;
  }
  return String(value);
};

/** Evaluates a template condition whose operands serverless already resolved to literals. */
export const conditionHolds = (template: Template, name: string): boolean => {
  const evaluate = (expression: unknown): boolean | string => {
    if (typeof expression === "string") return expression;
    const [key, inner] = Object.entries(expression as Record<string, unknown>)[0] ?? [];
    const operands = asArray(inner as unknown[]);
    switch (key) {
      case "Fn::Equals":
        return evaluate(operands[0]) === evaluate(operands[1]);
      case "Fn::Not":
        return !evaluate(operands[0]);
      case "Condition":
        return conditionHolds(template, String(inner));
      default:
        throw new Error(`condition ${name}: cannot evaluate ${key}`);
    }
  };
  const expression = template.Conditions?.[name];
  if (expression === undefined) throw new Error(`no condition ${name}`);
  return evaluate(expression) === true;
};

/** Picks the branch of an Fn::If whose condition holds in this template. */
export const chooseIf = (template: Template, value: unknown): unknown => {
  const branches = prop(value, "Fn::If") as [string, unknown, unknown] | undefined;
  if (!branches) return value;
  return conditionHolds(template, branches[0]) ? branches[1] : branches[2];
};

/** The value with every Fn::If replaced by the branch whose condition holds in this template. */
export const resolveConditions = (template: Template, value: unknown): unknown => {
  if (Array.isArray(value)) return value.map((item) => resolveConditions(template, item));
  if (value && typeof value === "object") {
    if ("Fn::If" in value) return resolveConditions(template, chooseIf(template, value));
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, resolveConditions(template, v)]),
    );
  }
  return value;
};
