import { z } from "zod";
import type { Log } from "../core/deps.js";
import { TransientError, ValidationError } from "../errors.js";
import type { MigrationReport } from "../ports/warehouse.js";

/** The CloudFormation custom resource request (Create, Update, Delete) sent to migrate-warehouse. */
export const customResourceEventSchema = z.object({
  RequestType: z.enum(["Create", "Update", "Delete"]),
  ResponseURL: z.string().url(),
  StackId: z.string().min(1),
  RequestId: z.string().min(1),
  LogicalResourceId: z.string().min(1),
  ResourceType: z.string().min(1),
  PhysicalResourceId: z.string().min(1).optional(),
  ResourceProperties: z.record(z.string(), z.unknown()).default({}),
});
export type CustomResourceEvent = z.infer<typeof customResourceEventSchema>;

export interface CustomResourceResponse {
  readonly Status: "SUCCESS" | "FAILED";
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho: false;
  readonly Data?: Readonly<Record<string, string>>;
}

export interface MigrationResourceDeps {
  /** Runs the migration runner against the warehouse (configuration is resolved inside, so a bad one is reported). */
  readonly migrate: (properties: Readonly<Record<string, unknown>>) => Promise<MigrationReport>;
  /** Delivers the response to CloudFormation's pre-signed URL. */
  readonly respond: (url: string, response: CustomResourceResponse) => Promise<void>;
  readonly log: Log;
  /** The resource's id when CloudFormation has none yet (Create): stable, so an Update never replaces it. */
  readonly physicalResourceId: string;
}

/** CloudFormation shows at most this much of a failure reason. */
const MAX_REASON = 1_000;

/**
 * The migrate-warehouse custom resource: Create and Update run the migrations (safe to repeat: applied files
 * are skipped) and report SUCCESS with what was applied, or FAILED with the error; Delete reports SUCCESS
 * without touching the database (tearing the stack down never drops warehouse data). Always answers
 * CloudFormation, so a stack never waits for a response that will not come.
 *
 * @example
 *   await migrationResource(event, { migrate, respond: putResponse, log, physicalResourceId: "warehouse-migrations" });
 */
export const migrationResource = async (
  event: CustomResourceEvent,
  deps: MigrationResourceDeps,
): Promise<CustomResourceResponse> => {
  const base = {
    PhysicalResourceId: event.PhysicalResourceId ?? deps.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false as const,
  };
  let response: CustomResourceResponse;
  if (event.RequestType === "Delete") {
    deps.log.info("custom resource deleted: warehouse left as it is", { request_id: event.RequestId });
    response = { ...base, Status: "SUCCESS", Reason: "warehouse left in place" };
  } else {
    try {
      const report = await deps.migrate(event.ResourceProperties);
      deps.log.info("warehouse migrations applied", {
        request_type: event.RequestType,
        applied: report.applied,
        adopted: report.adopted,
        unchanged: report.unchanged.length,
      });
      response = {
        ...base,
        Status: "SUCCESS",
        Data: {
          Applied: String(report.applied.length),
          Adopted: String(report.adopted.length),
          Unchanged: String(report.unchanged.length),
        },
      };
    } catch (error) {
      const reason = `${(error as Error)?.name ?? "Error"}: ${(error as Error)?.message ?? String(error)}`;
      deps.log.error("warehouse migrations failed", { request_type: event.RequestType, error: reason });
      response = { ...base, Status: "FAILED", Reason: reason.slice(0, MAX_REASON) };
    }
  }
  await deps.respond(event.ResponseURL, response);
  return response;
};

/**
 * PUTs the response to the pre-signed S3 URL, as cfn-response does (empty content type). A failed delivery is
 * a `TransientError`: the invocation fails and Lambda's retry runs the (idempotent) migrations again.
 */
export const putResponse = async (
  url: string,
  response: CustomResourceResponse,
  fetchImpl: typeof fetch = fetch,
): Promise<void> => {
  const body = JSON.stringify(response);
  const result = await fetchImpl(url, {
    method: "PUT",
    body,
    headers: { "content-type": "", "content-length": String(Buffer.byteLength(body)) },
  });
  if (!result.ok) {
    throw new TransientError(
      `CloudFormation response not delivered: HTTP ${result.status} ${result.statusText}`,
    );
  }
};

/** What the migration needs to reach the warehouse, and the values its SQL placeholders take. */
export interface MigrationConfig {
  readonly workgroupName: string;
  readonly database: string;
  readonly namespace: string;
  readonly loadBucket: string;
  readonly copyRoleArn: string;
  /** The IAM role whose database user owns the COPY JOBs (AwaitLoad's role): the jobs are created as it. */
  readonly loaderRoleArn: string;
}

const configSchema = z.object({
  workgroupName: z.string().min(1),
  database: z.string().regex(/^[a-z_][a-z0-9_$]{0,126}$/, "must be a Redshift database name"),
  namespace: z.string().min(1),
  loadBucket: z.string().min(1),
  copyRoleArn: z.string().min(1),
  loaderRoleArn: z.string().startsWith("arn:"),
});

/**
 * The migration's configuration. Order of precedence, written down once: the custom resource's properties
 * (`Workgroup`, `Database`, `LoadBucket`, `CopyRoleArn`, `LoaderRoleArn`: what the stack passes with each request)
 * win over the function's environment (`WAREHOUSE_WORKGROUP`, `WAREHOUSE_DATABASE`, `LOAD_BUCKET`, `COPY_ROLE_ARN`,
 * `LOADER_ROLE_ARN`); the namespace comes from `WAREHOUSE_NAMESPACE` only. Throws a `ValidationError` naming the missing setting.
 */
export const migrationConfig = (
  properties: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): MigrationConfig => {
  const text = (value: unknown): string | undefined =>
    typeof value === "string" && value !== "" ? value : undefined;
  const candidate = {
    workgroupName: text(properties.Workgroup) ?? env.WAREHOUSE_WORKGROUP,
    database: text(properties.Database) ?? env.WAREHOUSE_DATABASE,
    namespace: env.WAREHOUSE_NAMESPACE,
    loadBucket: text(properties.LoadBucket) ?? env.LOAD_BUCKET,
    copyRoleArn: text(properties.CopyRoleArn) ?? env.COPY_ROLE_ARN,
    loaderRoleArn: text(properties.LoaderRoleArn) ?? env.LOADER_ROLE_ARN,
  };
  const parsed = configSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`migrate-warehouse configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
};
