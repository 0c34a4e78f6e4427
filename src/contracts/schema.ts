import { z } from "zod";

/**
 * The source contract format (contracts/<source>.yaml). This schema is the one place a
 * contract's shape is defined; `load.ts` adds the checks that need more than one field.
 */

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "must be snake_case: a lowercase letter, then lowercase letters, digits or _");

/** Column types a raw value may be parsed into (Spark SQL type names). */
export const SOURCE_COLUMN_TYPE =
  /^(string|int|bigint|double|boolean|date|timestamp|decimal\((\d{1,2}),(\d{1,2})\))$/;

const columnType = z
  .string()
  .regex(SOURCE_COLUMN_TYPE, "must be string, int, bigint, double, boolean, date, timestamp or decimal(p,s)");

const sourceColumn = z.strictObject({
  name: z.string().min(1),
  type: columnType.default("string"),
  /** Spark datetime pattern for date/timestamp columns, e.g. `yyyy-MM-dd HH:mm:ss`. */
  format: z.string().min(1).optional(),
  /** An empty (or null-token) value sends the row to quarantine (`missing_required`). */
  required: z.boolean().default(false),
  /**
   * Most bytes (UTF-8) a value may have; a longer one quarantines its row as `too_long`. Without it only the
   * warehouse width of the entity column the value feeds applies.
   */
  max_length: z.number().int().positive().optional(),
  description: z.string().optional(),
});

const csvOptions = z.strictObject({
  header: z.boolean().default(true),
  delimiter: z.string().length(1).default(","),
  quote: z.string().length(1).default('"'),
  escape: z.string().length(1).default('"'),
  encoding: z.string().default("UTF-8"),
  /**
   * Quoted fields may span lines (the slower path: the lines of such a record are joined). Off by default:
   * a line that leaves a quoted field open is then a malformed record of its own, never silently merged.
   */
  multiline: z.boolean().default(false),
});

/** The file formats a contract may accept (file-formats.ts has their extensions). */
export const fileFormatSchema = z.enum(["csv", "jsonl", "parquet"]);
const formatName = fileFormatSchema;

/** Named groups a file-name pattern must capture to give a batch date. */
export const BATCH_DATE_GROUPS = ["year", "month", "day"] as const;

/**
 * Where an object's batch date comes from. `key` (the default): the `dt=YYYY-MM-DD` folder of
 * `<source>/dt=YYYY-MM-DD/<file>`. `file_name`: the file name, by a regular expression with the named
 * groups `year`, `month` and `day` (e.g. `2010-12-01.csv`); the object may then also sit directly
 * under its source (`<source>/<file>`), and a `dt=` folder, when present, still wins (an override).
 * `column`: the latest date in one of the file's date or timestamp columns (the export's as-of date), which
 * `pipeline drop` reads from the file before it uploads it under `<source>/dt=<date>/`; the trigger cannot read
 * files, so an object put into the raw bucket without a `dt=` folder is not routed.
 */
const batchDate = z.discriminatedUnion("from", [
  z.strictObject({ from: z.literal("key") }),
  z.strictObject({
    from: z.literal("file_name"),
    /** A JavaScript regular expression over the file name, e.g. `^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})\.csv$`. */
    pattern: z.string().min(1),
  }),
  z.strictObject({
    from: z.literal("column"),
    /** A date or timestamp column of the source, parsed with its type and `format` (e.g. `InvoiceDate`). */
    column: z.string().min(1),
  }),
]);

const feed = z.strictObject({
  /** A conformed entity (ARCHITECTURE section 4). */
  entity: identifier,
  /**
   * Optional Spark SQL boolean over the typed source columns and lineage values: rows it rejects are not fed.
   * `$name` stands for the contract's named filter `name` (in parentheses), so a predicate is written once.
   */
  filter: z.string().min(1).optional(),
  /** entity column -> Spark SQL expression over the typed source columns and lineage values. */
  map: z.record(identifier, z.string().min(1)),
});

const severity = z.enum(["warn", "error"]);

const ruleBase = {
  name: identifier
    .optional()
    .describe(
      "The rule's name in reports and metrics (default: the rule, then `_<column>` or `_<entity>` if any).",
    ),
  severity: severity.describe(
    "`error`: a failing row-level rule quarantines the row (rule_violation), a failing batch-level rule stops the " +
      "source at the quality gate; `warn`: reported, nothing stopped.",
  ),
  description: z.string().optional().describe("Free text shown next to the rule's result."),
};

const ruleColumn = z.string().min(1).describe("The source column the rule checks (typed value).");

const notNullRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("not_null"),
    column: ruleColumn,
    max_fraction: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("With severity warn: fraction of rows allowed to be null before the rule warns."),
  })
  .meta({
    description:
      "Row-level: the column is not null. With severity error every null row is quarantined (rule_violation).",
    examples: ["{ rule: not_null, column: order_approved_at, severity: warn, max_fraction: 0.05 }"],
  });
const acceptedValuesRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("accepted_values"),
    column: ruleColumn,
    values: z.array(z.string()).min(1).describe("The values allowed (compared as text, case-sensitive)."),
  })
  .meta({
    description: "Row-level: a non-null value is one of `values` (null passes; add not_null to forbid it).",
    examples: [
      "{ rule: accepted_values, column: payment_type, values: [credit_card, boleto], severity: error }",
    ],
  });
const rangeRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("range"),
    column: ruleColumn,
    min: z.number().optional().describe("Smallest value allowed (inclusive). At least one of min and max."),
    max: z.number().optional().describe("Largest value allowed (inclusive)."),
  })
  .refine((rule) => rule.min !== undefined || rule.max !== undefined, { message: "range needs min or max" })
  .meta({
    description: "Row-level: a non-null numeric value lies within [min, max] (null passes).",
    examples: ["{ rule: range, column: payment_value, min: 0, severity: error }"],
  });
const regexRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("regex"),
    column: ruleColumn,
    pattern: z
      .string()
      .min(1)
      .describe("A Java regular expression the raw text must contain (anchor it with ^...$)."),
  })
  .meta({
    description: "Row-level: the column's text matches `pattern` (null passes).",
    examples: ["{ rule: regex, column: customer_state, pattern: '^[A-Z]{2}$', severity: error }"],
  });
const uniqueRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("unique"),
    entity: identifier.describe("The feed's entity: its natural key must be unique within the batch."),
    max_fraction: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("Fraction of the entity's rows allowed to be exact duplicates or superseded."),
  })
  .meta({
    description:
      "Batch-level: duplicates of the entity's natural key in the batch (exact duplicates + superseded rows, " +
      "which deduplication drops) stay within max_fraction.",
    examples: ["{ rule: unique, entity: payments, severity: warn, max_fraction: 0.05 }"],
  });
const maxRejectRateRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("max_reject_rate"),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe("Largest share of quarantined rows among rows read."),
  })
  .meta({
    description:
      "Batch-level: quarantined rows / rows read of the source's files in the run. With severity error, a source " +
      "above the threshold does not reach the warehouse (its curated rows are kept, the gate stops it).",
    examples: ["{ rule: max_reject_rate, threshold: 0.05, severity: error }"],
  });
const rowCountMinRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("row_count_min"),
    min: z.number().int().min(0).describe("Fewest curated rows the source's files of a run must give."),
  })
  .meta({
    description: "Batch-level: the source's curated rows in the run are at least `min`.",
    examples: ["{ rule: row_count_min, min: 1, severity: warn }"],
  });
const rowCountAnomalyRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("row_count_anomaly"),
    lookback_runs: z
      .number()
      .int()
      .min(1)
      .default(7)
      .describe("How many recent runs of the same source form the baseline (their median of rows read)."),
    max_deviation: z
      .number()
      .positive()
      .default(0.5)
      .describe("Breach when |rows - median| / median exceeds this."),
    min_history: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe("No verdict (skipped) until this many earlier runs exist."),
  })
  .meta({
    description:
      "Batch-level: the rows read in this run are close to the median of the source's recent runs.",
    examples: ["{ rule: row_count_anomaly, lookback_runs: 7, max_deviation: 0.75, severity: warn }"],
  });
const freshnessRule = z
  .strictObject({
    ...ruleBase,
    rule: z.literal("freshness"),
    max_age_hours: z
      .number()
      .positive()
      .describe("The newest event time must be at most this many hours older than the reference time."),
    reference: z
      .enum(["batch_date", "run_time"])
      .default("batch_date")
      .describe(
        "batch_date: the end of the batch date of the files (their dt= folder, file name or date column); " +
          "run_time: the run's start.",
      ),
  })
  .meta({
    description: "Batch-level: the newest event time (the contract's event_time column) is recent enough.",
    examples: ["{ rule: freshness, max_age_hours: 96, reference: batch_date, severity: warn }"],
  });

export const qualityRuleSchema = z.discriminatedUnion("rule", [
  notNullRule,
  acceptedValuesRule,
  rangeRule,
  regexRule,
  uniqueRule,
  maxRejectRateRule,
  rowCountMinRule,
  rowCountAnomalyRule,
  freshnessRule,
]);

/**
 * A rule as the compiled bundle carries it: its name resolved and whether it is decided row by row. A name
 * the contract gives is snake_case; a derived one (`<rule>_<column>`) keeps the column's spelling (`range_UnitPrice`).
 */
const compiled = { name: z.string().min(1), row_level: z.boolean() };
export const compiledRuleSchema = z.discriminatedUnion("rule", [
  notNullRule.safeExtend(compiled),
  acceptedValuesRule.safeExtend(compiled),
  rangeRule.safeExtend(compiled),
  regexRule.safeExtend(compiled),
  uniqueRule.safeExtend(compiled),
  maxRejectRateRule.safeExtend(compiled),
  rowCountMinRule.safeExtend(compiled),
  rowCountAnomalyRule.safeExtend(compiled),
  freshnessRule.safeExtend(compiled),
]);

/** Rules that can be decided row by row: with severity `error` a failing row is quarantined. */
export const ROW_LEVEL_RULES = ["not_null", "accepted_values", "range", "regex"] as const;

export const sourceContractSchema = z.strictObject({
  /** Name of the source: the first key segment in the raw bucket (`<source>/...`). */
  source: identifier,
  description: z.string().optional(),
  owner: z.string().optional(),
  /** File formats this source may arrive in; the object's extension picks one (.gz = gzip). */
  formats: z.array(formatName).min(1),
  csv: csvOptions.optional(),
  /** Raw values treated as null (after trimming is NOT applied: exact match). */
  null_values: z.array(z.string()).default([""]),
  columns: z.array(sourceColumn).min(1),
  /** Column holding the time the row became true; see ARCHITECTURE section 6 for the fallbacks. */
  event_time: z.string().min(1).optional(),
  /** Where an object's batch date comes from (default: the key's `dt=` folder). */
  batch_date: batchDate.default({ from: "key" }),
  /** Named Spark SQL predicates that feed filters use as `$name` (written once, shared by several feeds). */
  filters: z.record(identifier, z.string().min(1)).default({}),
  feeds: z.array(feed).min(1),
  quality: z.array(qualityRuleSchema).default([]),
});

export type SourceContractInput = z.input<typeof sourceContractSchema>;
export type SourceContract = z.output<typeof sourceContractSchema>;
export type QualityRule = z.output<typeof qualityRuleSchema>;
export type Feed = z.output<typeof feed>;
export type SourceColumn = z.output<typeof sourceColumn>;
export type CsvOptions = z.output<typeof csvOptions>;

/** The csv dialect of a source whose contract says nothing about it (every default of `csv`). */
export const DEFAULT_CSV_OPTIONS: CsvOptions = csvOptions.parse({});
export type FileFormat = z.output<typeof formatName>;
export type BatchDateSource = z.output<typeof batchDate>;
