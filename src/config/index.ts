import { resolve } from "node:path";
import { z } from "zod";
import { ValidationError } from "../errors.js";
import { BUCKETS, type Bucket } from "../ports/object-store.js";

/**
 * The pipeline's configuration, validated once. Where values come from, in the order they win:
 *
 * 1. the cloud stages (`dev`, `prod`): environment variables set by serverless.yml on each Lambda,
 *    and by the operator's shell for the CLI (`loadConfig(process.env)`);
 * 2. a local stage: built in code from the stage name and the project root (`localConfig`). Only its
 *    tuning can be set, never which adapters run: a command-line option (`--max-files`) wins over the
 *    environment variable of the same setting as in the cloud (`BATCH_MAX_FILES`, `BATCH_MAX_BYTES`,
 *    `BATCH_MAX_INPUT_CHARS`, read by `localTuning`), which wins over the default (`DEFAULT_TUNING`).
 *
 * Tuning values have documented defaults; names of resources never do.
 */
export interface PipelineConfig {
  readonly stage: string;
  /** Which adapters the application is assembled from. Decided here, once. */
  readonly platform: "local" | "aws";
  readonly region: string;
  /** Physical bucket names (S3 names, or local folder names). */
  readonly buckets: Readonly<Record<Bucket, string>>;
  readonly stateMachineArn: string | undefined;
  readonly alertTopicArn: string | undefined;
  readonly emr: { readonly applicationId: string; readonly jobRoleArn: string } | undefined;
  /** The CloudWatch metric (EMF) check-quality emits per run: sources whose verdict is fail. */
  readonly qualityMetric: { readonly namespace: string; readonly name: string } | undefined;
  /** The CloudWatch metric (EMF) record-run emits per run: 1 when the run could not be written to ops.runs. */
  readonly recordFailureMetric: { readonly namespace: string; readonly name: string } | undefined;
  /** Redshift Serverless through the Data API (await-load, merge, verify-load, the CLI's query). */
  readonly warehouse:
    | { readonly workgroup: string; readonly database: string; readonly pollTimeoutMs?: number }
    | undefined;
  readonly tuning: Tuning;
  /** Local stage only: `.local/<stage>` as an absolute path. */
  readonly localRoot: string | undefined;
}

export interface Tuning {
  /** A batch window is split into several runs only past these bounds. */
  readonly batchMaxFiles: number;
  readonly batchMaxBytes: number;
  /** Serialized size of a run's input list (Step Functions caps a state's payload at 256 KiB). */
  readonly batchMaxInputChars: number;
  /** AwaitLoad polls quickly at first and backs off up to this many seconds between polls. */
  readonly awaitLoadMaxWaitSeconds: number;
}

export const DEFAULT_TUNING: Tuning = {
  batchMaxFiles: 200,
  batchMaxBytes: 20 * 1024 ** 3,
  batchMaxInputChars: 120_000,
  awaitLoadMaxWaitSeconds: 30,
};

const positiveInt = z.coerce.number().int().positive();

/** Environment variables read in the cloud stages (serverless.yml sets them). */
export const cloudEnvSchema = z.object({
  PIPELINE_STAGE: z.string().regex(/^[a-z][a-z0-9-]*$/, "a stage name such as dev or prod"),
  AWS_REGION: z.string().min(1),
  RAW_BUCKET: z.string().min(3),
  CURATED_BUCKET: z.string().min(3),
  LOAD_BUCKET: z
    .string()
    .min(3)
    .refine((name) => !name.includes("."), "auto-copy buckets must have no dot in their name"),
  ARTIFACTS_BUCKET: z.string().min(3),
  STATE_MACHINE_ARN: z.string().startsWith("arn:").optional(),
  ALERT_TOPIC_ARN: z.string().startsWith("arn:").optional(),
  EMR_APPLICATION_ID: z.string().min(1).optional(),
  EMR_JOB_ROLE_ARN: z.string().startsWith("arn:").optional(),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).optional(),
  DQ_FAILURE_METRIC: z.string().min(1).optional(),
  RUN_RECORD_FAILURE_METRIC: z.string().min(1).optional(),
  WAREHOUSE_WORKGROUP: z.string().min(1).optional(),
  WAREHOUSE_DATABASE: z.string().min(1).optional(),
  /** How long one Redshift Data API statement may be polled: set below the function's own timeout. */
  WAREHOUSE_POLL_TIMEOUT_MS: positiveInt.optional(),
  BATCH_MAX_FILES: positiveInt.default(DEFAULT_TUNING.batchMaxFiles),
  BATCH_MAX_BYTES: positiveInt.default(DEFAULT_TUNING.batchMaxBytes),
  BATCH_MAX_INPUT_CHARS: positiveInt.max(200_000).default(DEFAULT_TUNING.batchMaxInputChars),
  AWAIT_LOAD_MAX_WAIT_SECONDS: positiveInt.default(DEFAULT_TUNING.awaitLoadMaxWaitSeconds),
});

const fail = (error: z.ZodError): never => {
  const issue = error.issues[0];
  const variable = issue?.path.join(".") || "(environment)";
  throw new ValidationError(`configuration: ${variable}: ${issue?.message ?? "invalid"}`, { cause: error });
};

/**
 * Reads the configuration of a cloud stage from environment variables, failing on the first
 * offending variable.
 *
 * @example
 *   const config = loadConfig(process.env); // throws "configuration: RAW_BUCKET: ..." when unset
 */
export const loadConfig = (env: Record<string, string | undefined>): PipelineConfig => {
  const parsed = cloudEnvSchema.safeParse(env);
  if (!parsed.success) return fail(parsed.error);
  const e = parsed.data;
  return {
    stage: e.PIPELINE_STAGE,
    platform: "aws",
    region: e.AWS_REGION,
    buckets: {
      raw: e.RAW_BUCKET,
      curated: e.CURATED_BUCKET,
      load: e.LOAD_BUCKET,
      artifacts: e.ARTIFACTS_BUCKET,
    },
    stateMachineArn: e.STATE_MACHINE_ARN,
    alertTopicArn: e.ALERT_TOPIC_ARN,
    emr:
      e.EMR_APPLICATION_ID && e.EMR_JOB_ROLE_ARN
        ? { applicationId: e.EMR_APPLICATION_ID, jobRoleArn: e.EMR_JOB_ROLE_ARN }
        : undefined,
    qualityMetric:
      e.POWERTOOLS_METRICS_NAMESPACE && e.DQ_FAILURE_METRIC
        ? { namespace: e.POWERTOOLS_METRICS_NAMESPACE, name: e.DQ_FAILURE_METRIC }
        : undefined,
    recordFailureMetric:
      e.POWERTOOLS_METRICS_NAMESPACE && e.RUN_RECORD_FAILURE_METRIC
        ? { namespace: e.POWERTOOLS_METRICS_NAMESPACE, name: e.RUN_RECORD_FAILURE_METRIC }
        : undefined,
    warehouse:
      e.WAREHOUSE_WORKGROUP && e.WAREHOUSE_DATABASE
        ? {
            workgroup: e.WAREHOUSE_WORKGROUP,
            database: e.WAREHOUSE_DATABASE,
            ...(e.WAREHOUSE_POLL_TIMEOUT_MS === undefined
              ? {}
              : { pollTimeoutMs: e.WAREHOUSE_POLL_TIMEOUT_MS }),
          }
        : undefined,
    tuning: {
      batchMaxFiles: e.BATCH_MAX_FILES,
      batchMaxBytes: e.BATCH_MAX_BYTES,
      batchMaxInputChars: e.BATCH_MAX_INPUT_CHARS,
      awaitLoadMaxWaitSeconds: e.AWAIT_LOAD_MAX_WAIT_SECONDS,
    },
    localRoot: undefined,
  };
};

const localTuningSchema = z.object({
  BATCH_MAX_FILES: positiveInt.optional(),
  BATCH_MAX_BYTES: positiveInt.optional(),
  BATCH_MAX_INPUT_CHARS: positiveInt.max(200_000).optional(),
});

/**
 * The batch-window bounds a local stage takes from the environment (the same variables as the
 * cloud's trigger Lambda), then from explicit overrides (command-line options), which win.
 *
 * @example
 *   localTuning({ BATCH_MAX_FILES: "500" }); // { batchMaxFiles: 500 }
 *   localTuning({ BATCH_MAX_FILES: "500" }, { batchMaxFiles: 50 }); // { batchMaxFiles: 50 }
 */
export const localTuning = (
  env: Record<string, string | undefined>,
  overrides: Partial<Tuning> = {},
): Partial<Tuning> => {
  const parsed = localTuningSchema.safeParse(env);
  if (!parsed.success) return fail(parsed.error);
  const e = parsed.data;
  return {
    ...(e.BATCH_MAX_FILES === undefined ? {} : { batchMaxFiles: e.BATCH_MAX_FILES }),
    ...(e.BATCH_MAX_BYTES === undefined ? {} : { batchMaxBytes: e.BATCH_MAX_BYTES }),
    ...(e.BATCH_MAX_INPUT_CHARS === undefined ? {} : { batchMaxInputChars: e.BATCH_MAX_INPUT_CHARS }),
    ...overrides,
  };
};

/**
 * The configuration of a local stage: buckets are folders under `<projectRoot>/.local/<stage>/buckets/`.
 *
 * @example
 *   localConfig({ stage: "local", projectRoot: process.cwd() }).buckets.raw; // "raw"
 */
export const localConfig = (options: {
  readonly stage: string;
  readonly projectRoot: string;
  readonly tuning?: Partial<Tuning>;
  /** Where the stage lives instead of `<projectRoot>/.local/<stage>` (tests, benchmarks). */
  readonly root?: string;
}): PipelineConfig => {
  if (!/^[a-z][a-z0-9-]*$/.test(options.stage)) {
    throw new ValidationError(`configuration: stage: "${options.stage}" is not a stage name`);
  }
  const buckets = Object.fromEntries(BUCKETS.map((bucket) => [bucket, bucket])) as Record<Bucket, string>;
  return {
    stage: options.stage,
    platform: "local",
    region: "local",
    buckets,
    stateMachineArn: `arn:aws:states:local:000000000000:stateMachine:pipeline-${options.stage}`,
    alertTopicArn: `arn:aws:sns:local:000000000000:pipeline-${options.stage}-alerts`,
    emr: { applicationId: "local", jobRoleArn: "arn:aws:iam::000000000000:role/local-spark" },
    qualityMetric: undefined,
    recordFailureMetric: undefined,
    warehouse: undefined,
    tuning: { ...DEFAULT_TUNING, awaitLoadMaxWaitSeconds: 1, ...options.tuning },
    localRoot: options.root ? resolve(options.root) : resolve(options.projectRoot, ".local", options.stage),
  };
};

/**
 * Returns a configuration value a component cannot run without, or fails naming the variable.
 *
 * @example
 *   const arn = required(config.stateMachineArn, "STATE_MACHINE_ARN");
 */
export const required = <T>(value: T | undefined, variable: string): T => {
  if (value === undefined) throw new ValidationError(`configuration: ${variable}: required here but not set`);
  return value;
};
