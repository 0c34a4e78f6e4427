import {
  CancelJobRunCommand,
  EMRServerlessClient,
  GetJobRunCommand,
  StartJobRunCommand,
} from "@aws-sdk/client-emr-serverless";
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { EmrServerlessSparkRunner } from "../../src/adapters/aws/emr-serverless-spark-runner.js";
import { S3ObjectStore } from "../../src/adapters/aws/s3-object-store.js";
import { SfnWorkflow } from "../../src/adapters/aws/sfn-workflow.js";
import { SnsAlerts } from "../../src/adapters/aws/sns-alerts.js";
import { SparkJobError } from "../../src/core/errors.js";
import { NotFoundError, TransientError } from "../../src/errors.js";

const BUCKETS = { raw: "acme-raw", curated: "acme-curated", load: "acme-load", artifacts: "acme-artifacts" };
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
const emr = mockClient(EMRServerlessClient);
afterEach(() => {
  s3.reset();
  sfn.reset();
  sns.reset();
  emr.reset();
});

const awsError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

describe("S3ObjectStore", () => {
  const store = new S3ObjectStore(new S3Client({ region: "eu-west-1" }), BUCKETS);

  it("maps logical buckets to S3 names and back", () => {
    expect(store.uri({ bucket: "curated", key: "metrics/run-1.json" })).toBe(
      "s3://acme-curated/metrics/run-1.json",
    );
    expect(store.parseUri("s3://acme-load/orders/run-1/part-0.parquet")).toEqual({
      bucket: "load",
      key: "orders/run-1/part-0.parquet",
    });
    expect(() => store.parseUri("s3://someone-else/x")).toThrow(/not a URI of this stage/);
  });

  it("puts with the bucket, key, body and content type, and reports the ETag unquoted", async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"9b2cf535f27731c974343645a3985328"' });
    const info = await store.put({ bucket: "curated", key: "reports/run-1.json" }, "{}", "application/json");
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: "acme-curated",
      Key: "reports/run-1.json",
      Body: "{}",
      ContentType: "application/json",
    });
    expect(info).toMatchObject({ etag: "9b2cf535f27731c974343645a3985328", size: 2 });
  });

  it("reads bodies, and names a missing object NotFoundError", async () => {
    s3.on(GetObjectCommand, { Key: "a.json" }).resolves({
      // The SDK's streaming body: what the adapter calls on it.
      Body: { transformToByteArray: async () => new TextEncoder().encode('{"a":1}') } as never,
    });
    s3.on(GetObjectCommand, { Key: "missing.json" }).rejects(
      new NoSuchKey({ message: "gone", $metadata: {} }),
    );
    expect(new TextDecoder().decode(await store.get({ bucket: "raw", key: "a.json" }))).toBe('{"a":1}');
    await expect(store.get({ bucket: "raw", key: "missing.json" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers undefined for a HEAD of a missing object", async () => {
    s3.on(HeadObjectCommand).rejects(awsError("NotFound", 404));
    expect(await store.head({ bucket: "raw", key: "nope" })).toBeUndefined();
  });

  it("lists every page, sorted by key", async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [
        { Key: "curated/orders/run_id=r/part-1.parquet", Size: 5, ETag: '"b"', LastModified: new Date(0) },
      ],
      IsTruncated: true,
      NextContinuationToken: "t2",
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: "t2" }).resolves({
      Contents: [
        { Key: "curated/orders/run_id=r/part-0.parquet", Size: 4, ETag: '"a"', LastModified: new Date(0) },
      ],
      IsTruncated: false,
    });
    const listed = await store.list("curated", "curated/orders/run_id=r/");
    expect(listed.map((o) => [o.key, o.etag, o.size])).toEqual([
      ["curated/orders/run_id=r/part-0.parquet", "a", 4],
      ["curated/orders/run_id=r/part-1.parquet", "b", 5],
    ]);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: "acme-curated", Prefix: "curated/orders/run_id=r/" },
      { Bucket: "acme-curated", Prefix: "curated/orders/run_id=r/", ContinuationToken: "t2" },
    ]);
  });

  it("copies with a URL-encoded CopySource", async () => {
    s3.on(CopyObjectCommand).resolves({});
    await store.copy(
      { bucket: "curated", key: "curated/x/my file+1.parquet" },
      { bucket: "load", key: "x/r/f.parquet" },
    );
    expect(s3.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: "acme-load",
      Key: "x/r/f.parquet",
      CopySource: "acme-curated/curated/x/my%20file%2B1.parquet",
    });
  });

  it("turns throttling and 5xx into TransientError (the workflow retries those)", async () => {
    s3.on(PutObjectCommand).rejects(awsError("SlowDown", 503));
    await expect(store.put({ bucket: "load", key: "k" }, "x")).rejects.toBeInstanceOf(TransientError);
    s3.on(PutObjectCommand).rejects(awsError("AccessDenied", 403));
    await expect(store.put({ bucket: "load", key: "k" }, "x")).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });
});

describe("SfnWorkflow", () => {
  const arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:sales-pipeline-dev-pipeline";
  const workflow = new SfnWorkflow(new SFNClient({ region: "eu-west-1" }), arn);
  const input = {
    run_id: "run-20170105-0123456789abcdef",
    started_at: "2026-11-21T19:47:00.000Z",
    trigger: "s3" as const,
    inputs: [
      {
        bucket: "acme-raw",
        key: "orders/o.csv",
        etag: "e",
        size: 1,
        source: "orders",
        batch_date: null,
        uploaded_at: "t",
        version: "001796591735123:",
      },
    ],
  };

  it("starts a named execution with the run input as JSON", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${arn}:x`, startDate: new Date() });
    expect(await workflow.start(input.run_id, input)).toEqual({
      executionArn: `${arn}:x`,
      alreadyExisted: false,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: arn,
      name: input.run_id,
      input: JSON.stringify(input),
    });
  });

  it("reports ExecutionAlreadyExists as a duplicate, not an error", async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }));
    expect(await workflow.start(input.run_id, input)).toEqual({
      executionArn:
        "arn:aws:states:eu-west-1:123456789012:execution:sales-pipeline-dev-pipeline:run-20170105-0123456789abcdef",
      alreadyExisted: true,
    });
  });

  it("folds the execution history into states visited, with retries and a Catch", async () => {
    const t = (s: number) => new Date(Date.UTC(2026, 10, 21, 19, 47, s));
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, type: "ExecutionStarted", timestamp: t(0) },
        { id: 2, type: "TaskStateEntered", timestamp: t(0), stateEnteredEventDetails: { name: "PlanBatch" } },
        { id: 3, type: "TaskStateExited", timestamp: t(1), stateExitedEventDetails: { name: "PlanBatch" } },
        { id: 4, type: "TaskStateEntered", timestamp: t(1), stateEnteredEventDetails: { name: "Transform" } },
        { id: 41, type: "TaskScheduled", timestamp: t(1) },
        {
          id: 5,
          type: "TaskFailed",
          timestamp: t(30),
          taskFailedEventDetails: {
            resourceType: "emr-serverless",
            resource: "startJobRun.sync",
            error: "States.TaskFailed",
            cause: "{}",
          },
        },
        { id: 51, type: "TaskScheduled", timestamp: t(60) },
        {
          id: 6,
          type: "TaskFailed",
          timestamp: t(90),
          taskFailedEventDetails: {
            resourceType: "emr-serverless",
            resource: "startJobRun.sync",
            error: "States.TaskFailed",
            cause: "{}",
          },
        },
        { id: 7, type: "TaskStateExited", timestamp: t(91), stateExitedEventDetails: { name: "Transform" } },
        {
          id: 8,
          type: "TaskStateEntered",
          timestamp: t(91),
          stateEnteredEventDetails: { name: "QuarantineRun" },
        },
        {
          id: 9,
          type: "ExecutionFailed",
          timestamp: t(92),
          executionFailedEventDetails: { error: "States.TaskFailed" },
        },
      ],
    });
    const visits = await workflow.history(input.run_id);
    expect(visits.map((v) => [v.name, v.type, v.seconds, v.outcome, v.retries, v.errors.length])).toEqual([
      ["PlanBatch", "Task", 1, "succeeded", 0, 0],
      ["Transform", "Task", 90, "caught", 1, 2],
      ["QuarantineRun", "Task", 1, "failed", 0, 0],
    ]);
  });

  it("describes an execution by name", async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: `${arn}:r`,
      name: "r",
      status: "FAILED",
      startDate: new Date(0),
      stopDate: new Date(1000),
      error: "DataQualityFailed",
    });
    expect(await workflow.describe("r")).toMatchObject({ status: "FAILED", error: "DataQualityFailed" });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input.executionArn).toBe(
      "arn:aws:states:eu-west-1:123456789012:execution:sales-pipeline-dev-pipeline:r",
    );
  });
});

describe("SnsAlerts", () => {
  it("publishes the alert as JSON with a filterable kind and a subject SNS accepts", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m" });
    const alerts = new SnsAlerts(
      new SNSClient({ region: "eu-west-1" }),
      "arn:aws:sns:eu-west-1:123456789012:alerts",
    );
    const alert = {
      kind: "run_failed" as const,
      subject: `run failed: ${"x".repeat(200)}\n`,
      message: "boom",
      runId: "run-1",
      at: "2026-11-21T19:47:00.000Z",
    };
    await alerts.publish(alert);
    const sent = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(sent?.TopicArn).toBe("arn:aws:sns:eu-west-1:123456789012:alerts");
    expect(sent?.Subject).toHaveLength(100);
    expect(sent?.Subject).not.toMatch(/\n/);
    expect(JSON.parse(sent?.Message ?? "")).toEqual(alert);
    expect(sent?.MessageAttributes).toEqual({ kind: { DataType: "String", StringValue: "run_failed" } });
  });
});

describe("EmrServerlessSparkRunner", () => {
  const runner = new EmrServerlessSparkRunner(new EMRServerlessClient({ region: "eu-west-1" }), {
    applicationId: "00fabc",
    jobRoleArn: "arn:aws:iam::123456789012:role/emr-job",
    artifactsBucket: "acme-artifacts",
    pollMs: 1,
  });

  it("submits the job as the state machine does and waits for SUCCESS", async () => {
    emr.on(StartJobRunCommand).resolves({ applicationId: "00fabc", jobRunId: "jr1", arn: "arn" });
    emr
      .on(GetJobRunCommand)
      .resolvesOnce({ jobRun: { state: "RUNNING" } as never })
      .resolves({ jobRun: { state: "SUCCESS" } as never });
    const result = await runner.run({
      runId: "run-1",
      manifestUri: "s3://acme-curated/manifests/run-1.json",
    });
    expect(result).toMatchObject({ jobRunId: "jr1", state: "SUCCESS", mode: "emr" });
    const started = emr.commandCalls(StartJobRunCommand)[0]?.args[0].input;
    expect(started).toMatchObject({
      applicationId: "00fabc",
      executionRoleArn: "arn:aws:iam::123456789012:role/emr-job",
      name: "run-1",
      jobDriver: {
        sparkSubmit: {
          entryPoint: "s3://acme-artifacts/spark/job.py",
          entryPointArguments: ["--manifest", "s3://acme-curated/manifests/run-1.json"],
          sparkSubmitParameters:
            "--py-files s3://acme-artifacts/spark/pipeline_spark.zip --conf spark.sql.session.timeZone=UTC --conf spark.driver.cores=2 --conf spark.driver.memory=3g --conf spark.executor.cores=4 --conf spark.executor.memory=7g --conf spark.executor.instances=2",
        },
      },
    });
    expect(emr.commandCalls(GetJobRunCommand)).toHaveLength(2);
  });

  it("fails with SparkJobError when the job run fails", async () => {
    emr.on(StartJobRunCommand).resolves({ jobRunId: "jr2" });
    emr
      .on(GetJobRunCommand)
      .resolves({ jobRun: { state: "FAILED", stateDetails: "ConservationError" } as never });
    await expect(runner.run({ runId: "run-2", manifestUri: "s3://m" })).rejects.toBeInstanceOf(SparkJobError);
  });

  it("cancels a job run", async () => {
    emr.on(CancelJobRunCommand).resolves({ applicationId: "00fabc", jobRunId: "jr3" });
    await runner.cancel("jr3");
    expect(emr.commandCalls(CancelJobRunCommand)[0]?.args[0].input).toEqual({
      applicationId: "00fabc",
      jobRunId: "jr3",
    });
  });
});
