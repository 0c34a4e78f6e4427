import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { assembleMigrationWarehouse } from "../../src/app/aws-migration.js";
import { ValidationError } from "../../src/errors.js";
import { log, logger } from "../../src/observability/logger.js";
import {
  customResourceEventSchema,
  migrationConfig,
  migrationResource,
  putResponse,
} from "../../src/warehouse/custom-resource.js";

/** Keep a minute to answer CloudFormation after the last statement. */
const RESPONSE_MARGIN_MS = 60_000;

/**
 * migrate-warehouse: the CloudFormation custom resource that applies the warehouse migrations after a deploy
 * (the same runner as the local stage) on the warehouse `assembleMigrationWarehouse` assembles (app/aws.ts).
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
      const warehouse = await assembleMigrationWarehouse(
        config,
        Math.max(30_000, context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS),
      );
      return warehouse.migrate({ load_bucket: config.loadBucket, copy_role_arn: config.copyRoleArn });
    },
  });
}).use(injectLambdaContext(logger, { resetKeys: true }));
