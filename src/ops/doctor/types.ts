import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { EMRServerlessClient } from "@aws-sdk/client-emr-serverless";
import type { RedshiftServerlessClient } from "@aws-sdk/client-redshift-serverless";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { Row } from "../../ports/warehouse.js";

/** One check's verdict: `warn` is for what works but deserves a look (e.g. dev without an alert address). */
export interface CheckResult {
  readonly name: string;
  readonly status: "pass" | "warn" | "fail";
  readonly detail: string;
  /** What to do about it: always set when the status is not `pass`. */
  readonly hint?: string;
}

/** Read-only SQL on the stage's warehouse, as its admin (who sees every user's system-view rows). */
export interface WarehouseReader {
  select(sql: string, params?: Readonly<Record<string, string>>): Promise<Row[]>;
}

/** The AWS clients the doctor reads with; every call it makes is a Describe/Get/List. */
export interface DoctorClients {
  readonly cloudFormation: Pick<CloudFormationClient, "send">;
  readonly s3: Pick<S3Client, "send">;
  readonly redshiftServerless: Pick<RedshiftServerlessClient, "send">;
  readonly emr: Pick<EMRServerlessClient, "send">;
  readonly cloudWatch: Pick<CloudWatchClient, "send">;
  readonly sns: Pick<SNSClient, "send">;
  /** Opens the warehouse as its admin once the namespace's secret is known. */
  readonly warehouse: (target: { workgroup: string; database: string; secretArn: string }) => WarehouseReader;
}

/** What the repository says the stage must look like (read from the files a deploy used). */
export interface Expectations {
  readonly stage: "dev" | "prod";
  readonly stackName: string;
  /** `emr-7.9.0` (infra/resources/spark.yml). */
  readonly releaseLabel: string;
  /** COPY JOB names, from sql/copy-jobs/*.sql. */
  readonly copyJobs: readonly string[];
  /** Every migration's version and checksum, from sql/ (the ledger must hold exactly these). */
  readonly migrations: readonly { readonly version: string; readonly checksum: string }[];
  /** Alarm names (serverless.yml: sales-pipeline-<stage>-...). */
  readonly alarms: readonly string[];
}
