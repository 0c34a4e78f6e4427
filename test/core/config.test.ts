import { describe, expect, it } from "vitest";
import { DEFAULT_TUNING, loadConfig, localConfig, localTuning, required } from "../../src/config/index.js";

const env = {
  PIPELINE_STAGE: "dev",
  AWS_REGION: "eu-west-1",
  RAW_BUCKET: "sales-pipeline-dev-raw-123456789012-eu-west-1",
  CURATED_BUCKET: "sales-pipeline-dev-curated",
  LOAD_BUCKET: "sales-pipeline-dev-load",
  ARTIFACTS_BUCKET: "sales-pipeline-dev-artifacts",
};

describe("configuration", () => {
  it("reads a cloud stage from the environment serverless.yml sets", () => {
    const config = loadConfig({
      ...env,
      STATE_MACHINE_ARN: "arn:aws:states:eu-west-1:123456789012:stateMachine:sales-pipeline-dev-pipeline",
      POWERTOOLS_METRICS_NAMESPACE: "SalesPipeline/dev",
      DQ_FAILURE_METRIC: "DataQualityFailures",
      BATCH_MAX_FILES: "50",
    });
    expect(config).toMatchObject({
      stage: "dev",
      platform: "aws",
      buckets: { raw: env.RAW_BUCKET, load: env.LOAD_BUCKET },
      qualityMetric: { namespace: "SalesPipeline/dev", name: "DataQualityFailures" },
      tuning: { batchMaxFiles: 50, batchMaxInputChars: 120_000 },
    });
  });

  it("fails fast naming the offending variable", () => {
    const { RAW_BUCKET: _unused, ...missing } = env;
    expect(() => loadConfig(missing)).toThrow(/^configuration: RAW_BUCKET: /);
    expect(() => loadConfig({ ...env, LOAD_BUCKET: "sales.dev.load" })).toThrow(
      /LOAD_BUCKET: auto-copy buckets must have no dot/,
    );
    expect(() => loadConfig({ ...env, BATCH_MAX_FILES: "many" })).toThrow(/BATCH_MAX_FILES/);
    expect(() => required(loadConfig(env).stateMachineArn, "STATE_MACHINE_ARN")).toThrow(
      "configuration: STATE_MACHINE_ARN: required here but not set",
    );
  });

  it("builds the local stage's configuration in code", () => {
    const config = localConfig({ stage: "local", projectRoot: "/repo" });
    expect(config).toMatchObject({
      platform: "local",
      localRoot: "/repo/.local/local",
      buckets: { raw: "raw" },
    });
    expect(() => localConfig({ stage: "Bad Stage", projectRoot: "/repo" })).toThrow(/not a stage name/);
  });

  it("lets a local stage set its batch-window bounds: option over environment over default", () => {
    expect(localTuning({})).toEqual({});
    expect(localTuning({ BATCH_MAX_FILES: "500", BATCH_MAX_BYTES: "1000", PATH: "/bin" })).toEqual({
      batchMaxFiles: 500,
      batchMaxBytes: 1000,
    });
    expect(localTuning({ BATCH_MAX_FILES: "500" }, { batchMaxFiles: 50 })).toEqual({ batchMaxFiles: 50 });
    expect(() => localTuning({ BATCH_MAX_FILES: "0" })).toThrow(/^configuration: BATCH_MAX_FILES: /);
    expect(() => localTuning({ BATCH_MAX_INPUT_CHARS: "300000" })).toThrow(/BATCH_MAX_INPUT_CHARS/);
    const config = localConfig({
      stage: "try-retail",
      projectRoot: "/repo",
      tuning: localTuning({ BATCH_MAX_FILES: "400" }),
    });
    expect(config.localRoot).toBe("/repo/.local/try-retail");
    expect(config.tuning).toMatchObject({ batchMaxFiles: 400, batchMaxBytes: DEFAULT_TUNING.batchMaxBytes });
  });
});
