import { z } from "zod";
import { ENTITY_COLUMN_TYPES } from "../contracts/entities.js";
import { compiledRuleSchema } from "../contracts/schema.js";

/**
 * The compiled contract bundle (`contracts/bundle.json` in the artifacts bucket, `.build/contracts.bundle.json`
 * locally): what src/contracts/load.ts compiles from the YAML and both the Lambdas and the Spark job read. Its
 * version field is `bundle_version` (it had one from the start). Exported as JSON Schema for the job
 * (spark/src/pipeline_spark/schemas/bundle.json).
 */
const name = z.string().min(1);
const names = z.array(name);

const entityColumn = z.strictObject({
  name,
  type: z.enum(ENTITY_COLUMN_TYPES),
  nullable: z.boolean(),
  default: z.string().optional(),
  max_length: z.number().int().min(1).optional(),
  /** Added to the staging table by a later migration: curated files write it after the lineage columns. */
  appended: z.boolean().optional(),
});

/** One column of an entity's curated files, in file order (= the staging table's order; COPY maps by position). */
const curatedColumn = z.strictObject({ name, type: entityColumn.shape.type });

const compiledSelect = z.strictObject({
  column: name,
  type: entityColumn.shape.type,
  nullable: z.boolean(),
  expression: z.string().min(1),
});

const compiledSource = z.strictObject({
  source: name,
  description: z.string().nullable(),
  formats: z.array(z.enum(["csv", "jsonl", "parquet"])).min(1),
  extensions: z.array(z.string().startsWith(".")).min(1),
  csv: z
    .strictObject({
      header: z.boolean(),
      delimiter: z.string().min(1),
      quote: z.string(),
      escape: z.string(),
      encoding: z.string().min(1),
      multiline: z.boolean(),
    })
    .nullable(),
  null_values: z.array(z.string()),
  columns: z.array(
    z.strictObject({
      name,
      type: z.string().min(1),
      format: z.string().nullable(),
      required: z.boolean(),
      max_length: z.number().int().min(1).optional(),
    }),
  ),
  event_time: z.string().nullable(),
  /** Absent in bundles compiled before contracts could say where the date comes from: the key's `dt=` folder. */
  batch_date: z
    .union([
      z.strictObject({ from: z.literal("key"), pattern: z.null() }),
      z.strictObject({ from: z.literal("file_name"), pattern: z.string().min(1) }),
      z.strictObject({ from: z.literal("column"), column: z.string().min(1) }),
    ])
    .default({ from: "key", pattern: null }),
  feeds: z.array(
    z.strictObject({
      entity: name,
      key: names,
      filter: z.string().nullable(),
      select: z.array(compiledSelect),
    }),
  ),
  quality: z.array(compiledRuleSchema),
});

export const bundleSchema = z.strictObject({
  bundle_version: z.literal(1),
  checksum: z.string().min(1),
  entities: z.record(
    name,
    z.strictObject({
      key: names,
      dedupe_key: names,
      columns: z.array(entityColumn),
      curated_columns: z.array(curatedColumn),
    }),
  ),
  lineage_columns: names,
  curated_lineage_columns: names,
  quarantine_reasons: names,
  sources: z.record(name, compiledSource),
});

export type BundleDocument = z.infer<typeof bundleSchema>;
