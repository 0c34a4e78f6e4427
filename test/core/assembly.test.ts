import { describe, expect, it } from "vitest";
import { RedshiftWarehouse } from "../../src/adapters/aws/redshift-warehouse.js";
import { S3ObjectStore } from "../../src/adapters/aws/s3-object-store.js";
import { SfnWorkflow } from "../../src/adapters/aws/sfn-workflow.js";
import { SnsAlerts } from "../../src/adapters/aws/sns-alerts.js";
import { assembleAws } from "../../src/app/aws.js";
import { loadConfig } from "../../src/config/index.js";

const env = {
  PIPELINE_STAGE: "dev",
  AWS_REGION: "eu-west-1",
  RAW_BUCKET: "sales-pipeline-dev-raw",
  CURATED_BUCKET: "sales-pipeline-dev-curated",
  LOAD_BUCKET: "sales-pipeline-dev-load",
  ARTIFACTS_BUCKET: "sales-pipeline-dev-artifacts",
};

describe("the cloud assembly", () => {
  it("builds the AWS adapters from the function's environment", () => {
    const app = assembleAws(
      loadConfig({
        ...env,
        STATE_MACHINE_ARN: "arn:aws:states:eu-west-1:123456789012:stateMachine:sales-pipeline-dev-pipeline",
        ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:sales-pipeline-dev-alerts",
        WAREHOUSE_WORKGROUP: "sales-pipeline-dev",
        WAREHOUSE_DATABASE: "sales",
      }),
    );
    expect(app.store).toBeInstanceOf(S3ObjectStore);
    expect(app.workflow).toBeInstanceOf(SfnWorkflow);
    expect(app.alerts).toBeInstanceOf(SnsAlerts);
    expect(app.warehouse).toBeInstanceOf(RedshiftWarehouse);
  });

  it("lets a function without a port's variables start, and fails when that port is used, naming them", async () => {
    const app = assembleAws(loadConfig(env));
    await expect(app.workflow.start("run-1", {} as never)).rejects.toThrow(
      "configuration: STATE_MACHINE_ARN: required here but not set",
    );
    await expect(app.warehouse.merge("run-1", [])).rejects.toThrow(
      /WAREHOUSE_WORKGROUP and WAREHOUSE_DATABASE/,
    );
    await expect(app.alerts.publish({} as never)).rejects.toThrow(/ALERT_TOPIC_ARN/);
  });
});
