/**
 * Fills `${Name}` placeholders of an ASL definition (what CloudFormation's DefinitionSubstitutions
 * does at deploy time). Every placeholder must have a value: a forgotten one would reach AWS as text.
 *
 * @example
 *   substitute('{"Resource": "${PublishFunctionArn}"}', { PublishFunctionArn: "arn:…" });
 */
export const substitute = (definition: string, values: Readonly<Record<string, string>>): string =>
  definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder \${${name}}`);
    return value;
  });

/** The placeholders an ASL definition uses, sorted. */
export const placeholdersOf = (definition: string): string[] =>
  [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] as string))].sort();

/** The Lambda functions of the pipeline, by the name serverless.yml gives them (functions/<name>/handler.ts). */
export const TASK_FUNCTIONS = {
  PlanBatchFunctionArn: "plan-batch",
  CheckQualityFunctionArn: "check-quality",
  PublishFunctionArn: "publish",
  AwaitLoadFunctionArn: "await-load",
  MergeFunctionArn: "merge",
  VerifyLoadFunctionArn: "verify-load",
  QuarantineRunFunctionArn: "quarantine-run",
  NotifyFunctionArn: "notify",
  RecordRunFunctionArn: "record-run",
} as const;

export type TaskFunctionName = (typeof TASK_FUNCTIONS)[keyof typeof TASK_FUNCTIONS];

/** The only placeholders pipeline.asl.json may use (the deploy fills exactly these). */
export const ASL_PLACEHOLDERS = [
  ...Object.keys(TASK_FUNCTIONS),
  "EmrApplicationId",
  "EmrJobRoleArn",
  "ArtifactsBucket",
  "CuratedBucket",
  "AlertTopicArn",
].sort();

export const EMR_SYNC_RESOURCE = "arn:aws:states:::emr-serverless:startJobRun.sync";

/** Fields that exist only in JSONata states (or need variables), which the local runner ignores. */
const JSONATA_ONLY_FIELDS = new Set(["QueryLanguage", "Assign", "Arguments", "Output", "Items", "Condition"]);

/**
 * Lists what in a definition is not plain JSONPath ASL: a `QueryLanguage`, `Assign` variables,
 * JSONata-only fields, `{% … %}` expressions, or `$variable` references. aws-local-stepfunctions
 * silently ignores all of these, so the local stage would run a different workflow than AWS.
 *
 * @example
 *   jsonPathOnlyViolations({ QueryLanguage: "JSONata", States: {} }); // ["QueryLanguage at $"]
 */
export const jsonPathOnlyViolations = (definition: unknown): string[] => {
  const found: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node === "string") {
      if (/\{%[\s\S]*%\}/.test(node)) found.push(`JSONata expression at ${path}`);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        walk(item, `${path}[${index}]`);
      });
      return;
    }
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (JSONATA_ONLY_FIELDS.has(key)) found.push(`${key} at ${path}`);
      if (key.endsWith(".$") && typeof value === "string" && /^\$(?!\$|\.|\[|$)/.test(value)) {
        found.push(`variable reference ${value} at ${path}.${key}`);
      }
      walk(value, `${path}.${key}`);
    }
  };
  walk(definition, "$");
  return found;
};
