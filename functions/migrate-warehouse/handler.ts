import { join } from "node:path";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { GetNamespaceCommand, RedshiftServerlessClient } from "@aws-sdk/client-redshift-serverless";
import { STSClient } from "@aws-sdk/client-sts";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { assumedRole } from "../../src/adapters/aws/assume-role.js";
import { RedshiftWarehouse } from "../../src/adapters/aws/redshift-warehouse.js";
import { ValidationError } from "../../src/errors.js";
import { log, logger } from "../../src/observability/logger.js";
import {
  customResourceEventSchema,
  migrationConfig,
  migrationResource,
  putResponse,
} from "../../src/warehouse/custom-resource.js";

/** Clients live as long as the Lambda container; created on first use (nothing runs at import). */
let clients: { data: RedshiftDataClient; serverless: RedshiftServerlessClient; sts: STSClient } | undefined;
const sdk = () => {
  clients ??= {
    data: new RedshiftDataClient({}),
    serverless: new RedshiftServerlessClient({}),
    sts: new STSClient({}),
  };
  return clients;
};

/** Keep a minute to answer CloudFormation after the last statement. */
const RESPONSE_MARGIN_MS = 60_000;

/**
 * migrate-warehouse: the CloudFormation custom resource that applies the warehouse migrations after a deploy
 * (the same runner as the local stage), acting as the namespace's admin (its managed secret, found with
 * GetNamespace, is handed to the Data API by ARN), except for the COPY JOBs, created as the loader role (AwaitLoad's)
 * so that AwaitLoad reads their load history as its own rows.
 */
export const handler = middy(async (event: unknown, context: Context) => {
  const parsed = customResourceEventSchema.safeParse(event);
  if (!parsed.success)
    throw new ValidationError(`not a CloudFormation custom resource event: ${parsed.error.message}`);
  const request = parsed.data;
  return migrationResource(request, {
    log,
    physicalResourceId: `warehouse-migrations-${request.LogicalResourceId}`,
    respond: (url, response) => putResponse(url, response),
    migrate: async (properties) => {
      const config = migrationConfig(properties, process.env);
      const { namespace } = await sdk().serverless.send(
        new GetNamespaceCommand({ namespaceName: config.namespace }),
      );
      const secretArn = namespace?.adminPasswordSecretArn;
      if (!secretArn) throw new ValidationError(`namespace ${config.namespace} has no managed admin secret`);
      const warehouse = new RedshiftWarehouse({
        client: sdk().data,
        workgroupName: config.workgroupName,
        database: config.database,
        secretArn,
        copyJobClient: new RedshiftDataClient({
          credentials: assumedRole(sdk().sts, config.loaderRoleArn, "migrate-warehouse"),
        }),
        sqlRoot: process.env.SQL_ROOT ?? join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), "sql"),
        poll: { timeoutMs: Math.max(30_000, context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS) },
      });
      return warehouse.migrate({ load_bucket: config.loadBucket, copy_role_arn: config.copyRoleArn });
    },
  });
}).use(injectLambdaContext(logger, { resetKeys: true }));
