import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { RedshiftWarehouse } from "../adapters/aws/redshift-warehouse.js";
import { S3ObjectStore } from "../adapters/aws/s3-object-store.js";
import { SfnWorkflow } from "../adapters/aws/sfn-workflow.js";
import { SnsAlerts } from "../adapters/aws/sns-alerts.js";
import { type PipelineConfig, required } from "../config/index.js";
import { StoredContracts } from "../core/contract-source.js";
import { log } from "../observability/logger.js";
import type { Alerts } from "../ports/alerts.js";
import type { Warehouse } from "../ports/warehouse.js";
import type { Workflow } from "../ports/workflow.js";
import type { App } from "./app.js";
import { sqlRoot } from "./sql-root.js";

/** A port whose configuration is missing fails when used, naming the variable, not at cold start. */
const missing = <T extends object>(variable: string): T =>
  new Proxy({} as T, {
    get: () => async () => required<string>(undefined, variable),
  });

/**
 * Assembles the cloud application: S3, Step Functions, SNS, Redshift Serverless (Data API). Clients are created once per Lambda
 * container and passed to the adapters.
 *
 * @example
 *   const app = assembleAws(loadConfig(process.env));
 */
export const assembleAws = (config: PipelineConfig): App => {
  const s3 = new S3Client({ region: config.region });
  const store = new S3ObjectStore(s3, config.buckets);
  const workflow: Workflow = config.stateMachineArn
    ? new SfnWorkflow(new SFNClient({ region: config.region }), config.stateMachineArn)
    : missing<Workflow>("STATE_MACHINE_ARN");
  const alerts: Alerts = config.alertTopicArn
    ? new SnsAlerts(new SNSClient({ region: config.region }), config.alertTopicArn)
    : missing<Alerts>("ALERT_TOPIC_ARN");
  return {
    config,
    store,
    workflow,
    alerts,
    contracts: new StoredContracts(store),
    warehouse: config.warehouse
      ? new RedshiftWarehouse({
          client: new RedshiftDataClient({ region: config.region }),
          workgroupName: config.warehouse.workgroup,
          database: config.warehouse.database,
          sqlRoot: sqlRoot(),
          // A statement's polling budget must end before the Lambda's own timeout does.
          ...(config.warehouse.pollTimeoutMs === undefined
            ? {}
            : { poll: { timeoutMs: config.warehouse.pollTimeoutMs } }),
        })
      : missing<Warehouse>("WAREHOUSE_WORKGROUP and WAREHOUSE_DATABASE"),
    log,
    now: () => new Date(),
  };
};
