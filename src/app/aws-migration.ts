import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { GetNamespaceCommand, RedshiftServerlessClient } from "@aws-sdk/client-redshift-serverless";
import { STSClient } from "@aws-sdk/client-sts";
import { assumedRole } from "../adapters/aws/assume-role.js";
import { RedshiftWarehouse } from "../adapters/aws/redshift-warehouse.js";
import { ValidationError } from "../errors.js";
import type { MigrationConfig } from "../warehouse/custom-resource.js";
import { sqlRoot } from "./sql-root.js";

/** The SDK clients of the migrate-warehouse custom resource, created on first use and kept for the container. */
let migrationClients:
  | { data: RedshiftDataClient; serverless: RedshiftServerlessClient; sts: STSClient }
  | undefined;

/**
 * The warehouse the migrate-warehouse custom resource migrates with: acting as the namespace's admin (its
 * managed secret, found with GetNamespace, handed to the Data API by ARN), except for the COPY JOBs, created as
 * the loader role (AwaitLoad's) so that AwaitLoad reads their load history as its own rows. The one other
 * assembly of AWS adapters besides `assembleAws`, for the one function that runs outside the pipeline's App.
 *
 * @example
 *   const warehouse = await assembleMigrationWarehouse(migrationConfig(properties, process.env), 840_000);
 */
export const assembleMigrationWarehouse = async (
  config: MigrationConfig,
  pollTimeoutMs: number,
): Promise<RedshiftWarehouse> => {
  migrationClients ??= {
    data: new RedshiftDataClient({}),
    serverless: new RedshiftServerlessClient({}),
    sts: new STSClient({}),
  };
  const clients = migrationClients;
  const { namespace } = await clients.serverless.send(
    new GetNamespaceCommand({ namespaceName: config.namespace }),
  );
  const secretArn = namespace?.adminPasswordSecretArn;
  if (!secretArn) throw new ValidationError(`namespace ${config.namespace} has no managed admin secret`);
  return new RedshiftWarehouse({
    client: clients.data,
    workgroupName: config.workgroupName,
    database: config.database,
    secretArn,
    copyJobClient: new RedshiftDataClient({
      credentials: assumedRole(clients.sts, config.loaderRoleArn, "migrate-warehouse"),
    }),
    sqlRoot: sqlRoot(),
    poll: { timeoutMs: pollTimeoutMs },
  });
};
