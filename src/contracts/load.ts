import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { ContractError } from "../errors.js";
import { patternPieces, UnreadablePatternError } from "./datetime-pattern.js";
import {
  CURATED_LINEAGE_COLUMNS,
  curatedColumns,
  ENTITIES,
  type EntityDefinition,
  entityByName,
  LINEAGE_COLUMNS,
  QUARANTINE_REASONS,
} from "./entities.js";
import { EXTENSIONS } from "./file-formats.js";
import { BATCH_DATE_GROUPS, ROW_LEVEL_RULES, type SourceContract, sourceContractSchema } from "./schema.js";
import type { CompiledFeed, CompiledRule, CompiledSource, ContractBundle } from "./types.js";

/** Formats a zod issue path the way a person reads YAML: `feeds[0].map.customer_id`. */
const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, segment) => {
    if (typeof segment === "number") return `${text}[${segment}]`;
    return text ? `${text}.${String(segment)}` : String(segment);
  }, "");

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue ? issue.message : "invalid";
};

const valueAt = (document: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    document,
  );

/**
 * What YAML most likely did to a value the schema refuses, when the value shows it: an unquoted `decimal(12,2)`
 * inside `{ ... }` is split at its comma into `decimal(12` and a key `2)`.
 */
const likelyYamlCause = (value: unknown): string | undefined => {
  if (typeof value === "string" && /^\s*decimal\s*\(\s*\d+\s*$/.test(value)) {
    return (
      `is "${value}": YAML split an unquoted decimal(p,s) at its comma (inside { } a comma separates entries); ` +
      `write it in quotes, e.g. type: "decimal(12,2)"`
    );
  }
  return undefined;
};

/**
 * Parses and validates one contract's YAML text. Throws a `ContractError` naming the file, the
 * path inside it and what is wrong.
 *
 * @example
 *   const contract = parseContract("contracts/orders.yaml", await readFile(path, "utf8"));
 */
export const parseContract = (file: string, text: string): SourceContract => {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? `line ${error.linePos[0].line}` : "";
    throw new ContractError(file, where, `not valid YAML: ${(error as Error).message.split("\n")[0]}`, {
      cause: error,
    });
  }
  const parsed = sourceContractSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const cause = likelyYamlCause(valueAt(document, path));
    throw new ContractError(file, formatPath(path), cause ?? firstIssue(parsed.error), {
      cause: parsed.error,
    });
  }
  const contract = parsed.data;
  const expectedName = basename(file).replace(/\.ya?ml$/, "");
  if (contract.source !== expectedName) {
    throw new ContractError(
      file,
      "source",
      `is "${contract.source}" but the file is named ${expectedName}.yaml`,
    );
  }
  checkSemantics(file, contract);
  return contract;
};

const checkSemantics = (file: string, contract: SourceContract): void => {
  const fail = (path: string, problem: string): never => {
    throw new ContractError(file, path, problem);
  };
  contract.feeds.forEach((feed, index) => {
    for (const [, name] of (feed.filter ?? "").matchAll(NAMED_FILTER)) {
      if (name !== undefined && !(name in contract.filters)) {
        const known = Object.keys(contract.filters);
        fail(
          `feeds[${index}].filter`,
          `$${name} is not a named filter of this contract (filters: ${known.length ? known.join(", ") : "none"})`,
        );
      }
    }
  });
  for (const [name, expression] of Object.entries(contract.filters)) {
    if (NAMED_FILTER.test(expression))
      fail(`filters.${name}`, "a named filter cannot use another one ($name)");
    NAMED_FILTER.lastIndex = 0;
  }
  const columns = new Map<string, SourceContract["columns"][number]>();
  contract.columns.forEach((column, index) => {
    if (columns.has(column.name)) fail(`columns[${index}].name`, `duplicate column "${column.name}"`);
    if (column.name.startsWith("_"))
      fail(`columns[${index}].name`, "names starting with _ are reserved for lineage");
    if (column.format && !["date", "timestamp"].includes(column.type)) {
      fail(`columns[${index}].format`, `a format applies to date and timestamp columns, not ${column.type}`);
    }
    columns.set(column.name, column);
  });
  if (!contract.formats.includes("csv") && contract.csv !== undefined) {
    fail("csv", "csv options given but csv is not in formats");
  }
  if (contract.event_time !== undefined) {
    const column = columns.get(contract.event_time);
    if (!column) fail("event_time", `names "${contract.event_time}", which is not a column`);
    else if (!["date", "timestamp"].includes(column.type)) {
      fail(
        "event_time",
        `column "${column.name}" is ${column.type}; the event time must be a date or timestamp`,
      );
    }
  }
  if (contract.batch_date.from === "file_name") {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(contract.batch_date.pattern);
    } catch {
      fail("batch_date.pattern", "is not a valid regular expression");
    }
    const groups = new RegExp(`${pattern?.source ?? ""}|`).exec("")?.groups ?? {};
    const missing = BATCH_DATE_GROUPS.filter((group) => !(group in groups));
    if (missing.length > 0) {
      fail(
        "batch_date.pattern",
        `needs the named groups (?<year>…), (?<month>…) and (?<day>…); missing ${missing.join(", ")}`,
      );
    }
  }
  if (contract.batch_date.from === "column") {
    const name = contract.batch_date.column;
    const column = columns.get(name);
    if (!column) fail("batch_date.column", `names "${name}", which is not a column`);
    else if (!["date", "timestamp"].includes(column.type)) {
      fail(
        "batch_date.column",
        `column "${name}" is ${column.type}; a batch date comes from a date or timestamp`,
      );
    } else if (column.format !== undefined) {
      try {
        patternPieces(column.format);
      } catch (error) {
        if (!(error instanceof UnreadablePatternError)) throw error;
        fail(
          "batch_date.column",
          `the format of column "${name}", ${error.message}: pipeline drop, which reads the batch date from ` +
            "the file before Spark does, cannot parse it",
        );
      }
    }
  }
  contract.feeds.forEach((feed, index) => {
    const entity = entityByName(feed.entity);
    if (!entity) {
      fail(
        `feeds[${index}].entity`,
        `unknown entity "${feed.entity}"; conformed entities are ${ENTITIES.map((e) => e.name).join(", ")}`,
      );
      return;
    }
    for (const target of Object.keys(feed.map)) {
      if (!entity.columns.some((column) => column.name === target)) {
        fail(`feeds[${index}].map.${target}`, `entity ${entity.name} has no column "${target}"`);
      }
    }
    for (const column of entity.columns) {
      if (!column.nullable && column.default === undefined && feed.map[column.name] === undefined) {
        fail(`feeds[${index}].map`, `entity ${entity.name} needs column "${column.name}" mapped`);
      }
    }
  });
  const feedsEntities = new Set(contract.feeds.map((feed) => feed.entity));
  const ruleNames = new Set<string>();
  contract.quality.forEach((rule, index) => {
    if ("column" in rule && !columns.has(rule.column)) {
      fail(`quality[${index}].column`, `names "${rule.column}", which is not a column`);
    }
    if (rule.rule === "unique" && !feedsEntities.has(rule.entity)) {
      fail(`quality[${index}].entity`, `this source does not feed "${rule.entity}"`);
    }
    if (rule.rule === "freshness" && contract.event_time === undefined) {
      fail(`quality[${index}]`, "freshness needs the contract's event_time");
    }
    if (rule.rule === "regex") {
      try {
        new RegExp(rule.pattern);
      } catch {
        fail(`quality[${index}].pattern`, "is not a valid regular expression");
      }
    }
    const name = ruleName(rule);
    if (ruleNames.has(name)) fail(`quality[${index}].name`, `duplicate rule name "${name}"; give one a name`);
    ruleNames.add(name);
  });
};

const ruleName = (rule: SourceContract["quality"][number]): string => {
  if (rule.name) return rule.name;
  if ("column" in rule) return `${rule.rule}_${rule.column}`;
  if (rule.rule === "unique") return `unique_${rule.entity}`;
  return rule.rule;
};

/** A feed filter with every `$name` replaced by the contract's named filter, in parentheses. */
const NAMED_FILTER = /\$([a-z][a-z0-9_]*)/g;

const expandFilter = (filter: string, named: Readonly<Record<string, string>>): string =>
  filter.replace(NAMED_FILTER, (_, name: string) => `(${named[name]})`);

const compileFeed = (
  entity: EntityDefinition,
  feed: SourceContract["feeds"][number],
  named: Readonly<Record<string, string>>,
): CompiledFeed => ({
  entity: entity.name,
  key: [...entity.key],
  filter: feed.filter === undefined ? null : expandFilter(feed.filter, named),
  select: entity.columns.map((column) => ({
    column: column.name,
    type: column.type,
    nullable: column.nullable,
    expression: feed.map[column.name] ?? column.default ?? "NULL",
  })),
});

const compileRule = (rule: SourceContract["quality"][number]): CompiledRule => ({
  ...rule,
  name: ruleName(rule),
  row_level: (ROW_LEVEL_RULES as readonly string[]).includes(rule.rule),
});

/** Compiles one validated contract into the form the Spark job and the Lambdas read. */
export const compileSource = (contract: SourceContract): CompiledSource => ({
  source: contract.source,
  description: contract.description ?? null,
  formats: [...contract.formats],
  extensions: contract.formats.flatMap((format) => EXTENSIONS[format]),
  csv: contract.formats.includes("csv") ? sourceContractCsvDefaults(contract) : null,
  null_values: [...contract.null_values],
  columns: contract.columns.map((column) => ({
    name: column.name,
    type: column.type,
    format: column.format ?? null,
    required: column.required,
    ...(column.max_length === undefined ? {} : { max_length: column.max_length }),
  })),
  event_time: contract.event_time ?? null,
  batch_date: compileBatchDate(contract.batch_date),
  feeds: contract.feeds.map((feed) =>
    compileFeed(entityByName(feed.entity) as EntityDefinition, feed, contract.filters),
  ),
  quality: contract.quality.map(compileRule),
});

const compileBatchDate = (batchDate: SourceContract["batch_date"]): CompiledSource["batch_date"] => {
  switch (batchDate.from) {
    case "file_name":
      return { from: "file_name", pattern: batchDate.pattern };
    case "column":
      return { from: "column", column: batchDate.column };
    default:
      return { from: "key", pattern: null };
  }
};

const sourceContractCsvDefaults = (contract: SourceContract): NonNullable<CompiledSource["csv"]> => ({
  header: contract.csv?.header ?? true,
  delimiter: contract.csv?.delimiter ?? ",",
  quote: contract.csv?.quote ?? '"',
  escape: contract.csv?.escape ?? '"',
  encoding: contract.csv?.encoding ?? "UTF-8",
  multiline: contract.csv?.multiline ?? false,
});

/**
 * Reads every `*.yaml` in a folder, validates each, and compiles them into one bundle. The
 * bundle is deterministic (sorted, no timestamps) and carries a checksum of its content.
 *
 * @example
 *   const bundle = await loadContractBundle("contracts");
 *   bundle.sources.orders.feeds[0].entity; // "orders"
 */
export const loadContractBundle = async (directory: string): Promise<ContractBundle> =>
  loadContractBundleSync(directory);

/** Every contract file of a folder, parsed and validated, with its path (sorted by file name). */
export const readContracts = (directory: string): { file: string; contract: SourceContract }[] => {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    throw new ContractError(directory, "", "cannot read the contracts folder", { cause: error });
  }
  const files = names.filter((name) => /\.ya?ml$/.test(name)).sort();
  if (files.length === 0) throw new ContractError(directory, "", "no contract files (*.yaml) found");
  return files.map((name) => {
    const file = join(directory, name);
    return { file, contract: parseContract(file, readFileSync(file, "utf8")) };
  });
};

/** `loadContractBundle` for callers that cannot await (contract files are small). */
export const loadContractBundleSync = (directory: string): ContractBundle => {
  const sources: Record<string, CompiledSource> = {};
  for (const { contract } of readContracts(directory)) sources[contract.source] = compileSource(contract);
  return buildBundle(sources);
};

export const buildBundle = (sources: Record<string, CompiledSource>): ContractBundle => {
  const content = {
    bundle_version: 1 as const,
    entities: Object.fromEntries(
      ENTITIES.map((entity) => [
        entity.name,
        {
          key: [...entity.key],
          dedupe_key: [...entity.dedupeKey],
          columns: entity.columns.map(({ maxLength, ...column }) => ({
            ...column,
            ...(maxLength === undefined ? {} : { max_length: maxLength }),
          })),
          // The curated files' columns in order (= the staging table's), with their types.
          curated_columns: curatedColumns(entity).map(({ name, type }) => ({ name, type })),
        },
      ]),
    ),
    lineage_columns: Object.keys(LINEAGE_COLUMNS),
    curated_lineage_columns: [...CURATED_LINEAGE_COLUMNS],
    quarantine_reasons: Object.keys(QUARANTINE_REASONS),
    sources,
  };
  const checksum = createHash("sha256").update(JSON.stringify(content)).digest("hex");
  return { ...content, checksum };
};
