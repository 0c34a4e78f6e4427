// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation and ASL ${...} placeholders are data in these tests.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLL } from "../../src/adapters/aws/redshift-statements.js";
import {
  asArray,
  chooseIf,
  conditionHolds,
  PACKAGE_TIMEOUT_MS,
  packagedTemplate,
  prop,
  ROOT,
  resolveConditions,
  resource,
  resourcesOfType,
  STAGES,
  type Stage,
  type Statement,
  show,
  type Template,
} from "./support/template.js";

const DATA_BUCKETS = ["RawBucket", "CuratedBucket", "LoadBucket", "ArtifactsBucket"] as const;

/** Spark version of each EMR release label we may move to (EMR release notes). */
const EMR_SPARK: Record<string, string> = {
  "emr-7.5.0": "3.5.2",
  "emr-7.6.0": "3.5.3",
  "emr-7.7.0": "3.5.3",
  "emr-7.8.0": "3.5.4",
  "emr-7.9.0": "3.5.5",
};

/** What each stage's parameters must give (serverless.yml params). */
const STAGE_EXPECTATIONS: Record<
  Stage,
  {
    batchingWindow: number;
    batchSize: number;
    logRetention: number;
    baseRpu: number;
    maxRpu: number;
    preInitialized: boolean;
    curatedDeletionPolicy: string;
    alarmEmail: string | undefined;
    finalSnapshot: boolean;
  }
> = {
  dev: {
    batchingWindow: 20,
    batchSize: 100,
    logRetention: 14,
    baseRpu: 4,
    maxRpu: 8,
    preInitialized: false,
    curatedDeletionPolicy: "Delete",
    alarmEmail: undefined,
    finalSnapshot: false,
  },
  prod: {
    batchingWindow: 60,
    batchSize: 1000,
    logRetention: 90,
    baseRpu: 8,
    maxRpu: 64,
    preInitialized: true,
    curatedDeletionPolicy: "RetainExceptOnCreate",
    alarmEmail: "alarms@example.com",
    finalSnapshot: true,
  },
};

const statementsOf = (template: Template, policyId: string): Statement[] =>
  prop(resource(template, policyId), "Properties.PolicyDocument.Statement") as Statement[];

describe.each(STAGES)("resources and wiring of the %s template", (stage) => {
  let template: Template;
  const expected = STAGE_EXPECTATIONS[stage];
  beforeAll(() => {
    template = packagedTemplate(stage);
  }, PACKAGE_TIMEOUT_MS);

  describe("buckets", () => {
    it.each(DATA_BUCKETS)("%s blocks public access, is encrypted and owner-enforced", (id) => {
      const props = resource(template, id).Properties;
      expect(prop(props, "PublicAccessBlockConfiguration")).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(prop(props, "BucketEncryption.ServerSideEncryptionConfiguration")).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true },
      ]);
      expect(prop(props, "OwnershipControls.Rules")).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
    });

    it.each([...DATA_BUCKETS, "ServerlessDeploymentBucket"])(
      "%s has a policy denying every non-TLS request",
      (id) => {
        const policies = resourcesOfType(template, "AWS::S3::BucketPolicy").filter(
          ([, p]) => show(prop(p, "Properties.Bucket")) === `Ref(${id})`,
        );
        expect(policies).toHaveLength(1);
        const [policyId] = policies[0] as [string, unknown];
        const deny = statementsOf(template, policyId).filter((s) => s.Effect === "Deny");
        expect(deny).toHaveLength(1);
        expect(deny[0]?.Action).toBe("s3:*");
        expect(deny[0]?.Principal).toBe("*");
        expect(String(prop(deny[0], "Condition.Bool.aws:SecureTransport"))).toBe("false");
        expect(asArray(deny[0]?.Resource)).toHaveLength(2);
      },
    );

    it("names buckets after service, stage, account and region, with no dot (auto-copy needs that)", () => {
      for (const id of ["CuratedBucket", "LoadBucket", "ArtifactsBucket"]) {
        const name = show(prop(resource(template, id), "Properties.BucketName"));
        const role = id.replace("Bucket", "").toLowerCase();
        expect(name).toBe(`sales-pipeline-${stage}-${role}-\${AWS::AccountId}-\${AWS::Region}`);
        expect(name).not.toContain(".");
      }
      const raw = chooseIf(template, prop(resource(template, "RawBucket"), "Properties.BucketName"));
      expect(show(raw)).toBe(`sales-pipeline-${stage}-raw-\${AWS::AccountId}-\${AWS::Region}`);
    });

    // Issue 13, risk 4: a first deploy that rolls back deletes the (empty) RAW bucket and the new key, so the
    // retry does not fail on the bucket's fixed name; every later stack deletion keeps both.
    it("keeps RAW versioned, retained on stack deletion and replacement (except when its creation rolls back), with lifecycle rules", () => {
      const raw = resource(template, "RawBucket");
      expect(raw.DeletionPolicy).toBe("RetainExceptOnCreate");
      expect(raw.UpdateReplacePolicy).toBe("Retain");
      expect(prop(raw, "Properties.VersioningConfiguration.Status")).toBe("Enabled");
      const rules = prop(raw, "Properties.LifecycleConfiguration.Rules") as { Id: string; Status: string }[];
      expect(rules.filter((r) => r.Status === "Enabled").map((r) => r.Id)).toEqual(
        expect.arrayContaining(["abort-incomplete-uploads", "expire-noncurrent-versions"]),
      );
    });

    it("logs RAW, CURATED and LOAD access into the artifacts bucket, once its policy lets S3 logging write", () => {
      for (const id of ["RawBucket", "CuratedBucket", "LoadBucket"]) {
        const bucket = resource(template, id);
        expect(show(prop(bucket, "Properties.LoggingConfiguration.DestinationBucketName")), id).toBe(
          "Ref(ArtifactsBucket)",
        );
        expect(asArray(bucket.DependsOn), id).toContain("ArtifactsBucketPolicy");
      }
      const logging = statementsOf(template, "ArtifactsBucketPolicy").find(
        (s) => show(s.Principal) === "{Service: logging.s3.amazonaws.com}",
      );
      expect(logging?.Action).toBe("s3:PutObject");
      expect(show(logging?.Resource)).toBe("${ArtifactsBucket.Arn}/s3-access-logs/*");
    });

    it("retains CURATED on stack deletion only in prod", () => {
      expect(resource(template, "CuratedBucket").DeletionPolicy).toBe(expected.curatedDeletionPolicy);
    });

    it("retains nothing with a fixed name, and no key, when the deploy that created it rolls back", () => {
      for (const [id, res] of Object.entries(template.Resources)) {
        expect(res.DeletionPolicy, id).not.toBe("Retain");
      }
      expect(resource(template, "PipelineKey").DeletionPolicy).toBe("RetainExceptOnCreate");
    });

    it("sends RAW ObjectCreated events to the queue and nowhere else", () => {
      expect(prop(resource(template, "RawBucket"), "Properties.NotificationConfiguration")).toEqual({
        QueueConfigurations: [
          { Event: "s3:ObjectCreated:*", Queue: { "Fn::GetAtt": ["RawEventsQueue", "Arn"] } },
        ],
      });
      expect(asArray(resource(template, "RawBucket").DependsOn)).toContain("RawEventsQueuePolicy");
    });

    it("leaves the LOAD bucket without any notification of its own (Redshift's integration installs one)", () => {
      const load = resource(template, "LoadBucket");
      expect(prop(load, "Properties.NotificationConfiguration")).toBeUndefined();
      for (const [id, r] of Object.entries(template.Resources)) {
        if (r.Type === "AWS::Lambda::Permission" || r.Type === "AWS::Lambda::EventSourceMapping") {
          expect(JSON.stringify(r), id).not.toContain('"LoadBucket"');
        }
      }
    });

    it("lets redshift.amazonaws.com manage the LOAD bucket's notifications, for this account's integrations", () => {
      const allow = statementsOf(template, "LoadBucketPolicy").filter((s) => s.Effect === "Allow");
      expect(
        allow.map((s) => `${show(s.Principal)} ${asArray(s.Action).join(",")} ${show(s.Resource)}`),
      ).toEqual([
        "{Service: redshift.amazonaws.com} s3:GetBucketNotification,s3:PutBucketNotification,s3:GetBucketLocation GetAtt(LoadBucket.Arn)",
      ]);
      expect(show(allow[0]?.Condition)).toBe(
        "{StringEquals: {aws:SourceAccount: Ref(AWS::AccountId)}, ArnLike: {aws:SourceArn: arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:integration:*}}",
      );
    });
  });

  describe("events: RAW -> SQS (DLQ) -> trigger", () => {
    it("redrives failing messages to the DLQ and keeps them 14 days there", () => {
      const queue = resource(template, "RawEventsQueue");
      expect(prop(queue, "Properties.RedrivePolicy")).toEqual({
        deadLetterTargetArn: { "Fn::GetAtt": ["RawEventsDeadLetterQueue", "Arn"] },
        maxReceiveCount: 5,
      });
      expect(prop(resource(template, "RawEventsDeadLetterQueue"), "Properties.MessageRetentionPeriod")).toBe(
        1209600,
      );
      for (const id of ["RawEventsQueue", "RawEventsDeadLetterQueue"]) {
        expect(prop(resource(template, id), "Properties.SqsManagedSseEnabled"), id).toBe(true);
      }
    });

    it("feeds the trigger in batch windows, reporting partial batch failures", () => {
      const mappings = resourcesOfType(template, "AWS::Lambda::EventSourceMapping");
      expect(mappings).toHaveLength(1);
      const props = mappings[0]?.[1].Properties;
      expect(show(prop(props, "FunctionName"))).toBe("GetAtt(TriggerLambdaFunction.Arn)");
      expect(show(prop(props, "EventSourceArn"))).toBe("GetAtt(RawEventsQueue.Arn)");
      expect(prop(props, "FunctionResponseTypes")).toEqual(["ReportBatchItemFailures"]);
      expect(prop(props, "MaximumBatchingWindowInSeconds")).toBe(expected.batchingWindow);
      expect(prop(props, "BatchSize")).toBe(expected.batchSize);
    });

    it("sets the queue's visibility timeout to at least 6 x the trigger timeout + the batching window", () => {
      const timeout = prop(resource(template, "TriggerLambdaFunction"), "Properties.Timeout") as number;
      const visibility = prop(resource(template, "RawEventsQueue"), "Properties.VisibilityTimeout") as number;
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout + expected.batchingWindow);
    });

    it("accepts messages only from this stack's RAW bucket", () => {
      const [statement, ...others] = statementsOf(template, "RawEventsQueuePolicy");
      expect(others).toEqual([]);
      expect(show(statement?.Principal)).toBe("{Service: s3.amazonaws.com}");
      expect(statement?.Action).toBe("sqs:SendMessage");
      expect(show(resolveConditions(template, prop(statement, "Condition.ArnEquals.aws:SourceArn")))).toBe(
        `arn:\${AWS::Partition}:s3:::sales-pipeline-${stage}-raw-\${AWS::AccountId}-\${AWS::Region}`,
      );
    });
  });

  describe("Spark on EMR Serverless", () => {
    const app = () => resource(template, "SparkApplication").Properties;

    it("runs the release whose Spark version is the one spark/requirements-dev.txt pins", () => {
      const pin = /^pyspark==(\S+)$/m.exec(
        readFileSync(path.join(ROOT, "spark/requirements-dev.txt"), "utf8"),
      )?.[1];
      const label = prop(app(), "ReleaseLabel") as string;
      expect(EMR_SPARK[label], `unknown EMR release ${label}`).toBeDefined();
      expect(EMR_SPARK[label]).toBe(pin);
    });

    it("is ARM64, starts on demand, stops when idle and is capped", () => {
      expect(prop(app(), "Architecture")).toBe("ARM64");
      expect(prop(app(), "Type")).toBe("SPARK");
      expect(prop(app(), "AutoStartConfiguration.Enabled")).toBe(true);
      expect(prop(app(), "AutoStopConfiguration.Enabled")).toBe(true);
      expect(prop(app(), "AutoStopConfiguration.IdleTimeoutMinutes")).toBeGreaterThan(0);
      expect(Object.keys(prop(app(), "MaximumCapacity") as object).sort()).toEqual(["Cpu", "Disk", "Memory"]);
    });

    it(`has pre-initialized capacity only in prod (${stage}: ${expected.preInitialized})`, () => {
      const initial = chooseIf(template, prop(app(), "InitialCapacity"));
      if (expected.preInitialized) {
        expect((initial as { Key: string }[]).map((c) => c.Key)).toEqual(["Driver", "Executor"]);
      } else {
        expect(initial).toEqual({ Ref: "AWS::NoValue" });
      }
    });

    it("writes its logs to the artifacts bucket, where the job role may write them", () => {
      expect(show(prop(app(), "MonitoringConfiguration.S3MonitoringConfiguration.LogUri"))).toBe(
        "s3://${ArtifactsBucket}/emr-logs/",
      );
    });
  });

  describe("the state machine", () => {
    const machine = () => resource(template, "PipelineStateMachine");
    const definition = () => prop(machine(), "Properties.DefinitionString") as string;

    it("is a Standard workflow named after service and stage, logging to its encrypted log group", () => {
      expect(prop(machine(), "Properties.StateMachineType") ?? "STANDARD").toBe("STANDARD");
      expect(prop(machine(), "Properties.StateMachineName")).toBe(`sales-pipeline-${stage}-pipeline`);
      expect(show(prop(machine(), "Properties.RoleArn"))).toBe("GetAtt(StateMachineRole.Arn)");
      const logging = prop(machine(), "Properties.LoggingConfiguration") as Record<string, unknown>;
      expect(logging.Level).toBe(stage === "prod" ? "ERROR" : "ALL");
      expect(show(prop(logging, "Destinations"))).toBe(
        "[{CloudWatchLogsLogGroup: {LogGroupArn: GetAtt(StateMachineLogGroup.Arn)}}]",
      );
      expect(show(prop(resource(template, "StateMachineLogGroup"), "Properties.KmsKeyId"))).toBe(
        "GetAtt(PipelineKey.Arn)",
      );
    });

    it("packages the ASL of state-machines/pipeline.asl.json unchanged", () => {
      const real = JSON.parse(
        readFileSync(path.join(ROOT, "state-machines/pipeline.asl.json"), "utf8"),
      ) as unknown;
      expect(JSON.parse(definition())).toEqual(real);
    });

    it("fills every ${...} placeholder of the ASL through DefinitionSubstitutions, and no others", () => {
      const used = [...definition().matchAll(/\$\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1]);
      const substitutions = prop(machine(), "Properties.DefinitionSubstitutions") as Record<string, unknown>;
      expect(new Set(used)).toEqual(new Set(Object.keys(substitutions)));
    });

    it("substitutes each placeholder with the resource it names", () => {
      const substitutions = prop(machine(), "Properties.DefinitionSubstitutions") as Record<string, unknown>;
      const expectedValues: Record<string, string> = {
        PlanBatchFunctionArn: "GetAtt(PlanDashbatchLambdaFunction.Arn)",
        CheckQualityFunctionArn: "GetAtt(CheckDashqualityLambdaFunction.Arn)",
        PublishFunctionArn: "GetAtt(PublishLambdaFunction.Arn)",
        AwaitLoadFunctionArn: "GetAtt(AwaitDashloadLambdaFunction.Arn)",
        MergeFunctionArn: "GetAtt(MergeLambdaFunction.Arn)",
        VerifyLoadFunctionArn: "GetAtt(VerifyDashloadLambdaFunction.Arn)",
        QuarantineRunFunctionArn: "GetAtt(QuarantineDashrunLambdaFunction.Arn)",
        NotifyFunctionArn: "GetAtt(NotifyLambdaFunction.Arn)",
        RecordRunFunctionArn: "GetAtt(RecordDashrunLambdaFunction.Arn)",
        EmrApplicationId: "GetAtt(SparkApplication.ApplicationId)",
        EmrJobRoleArn: "GetAtt(SparkJobRole.Arn)",
        ArtifactsBucket: "Ref(ArtifactsBucket)",
        CuratedBucket: "Ref(CuratedBucket)",
        AlertTopicArn: "Ref(AlertTopic)",
      };
      for (const [name, value] of Object.entries(substitutions)) {
        expect(show(value), name).toBe(expectedValues[name]);
      }
    });

    it("has a role allowed to invoke every function its Lambda tasks name", () => {
      const substitutions = prop(machine(), "Properties.DefinitionSubstitutions") as Record<string, unknown>;
      const invokable = new Set(
        (
          prop(resource(template, "StateMachineRole"), "Properties.Policies") as {
            PolicyDocument: { Statement: Statement[] };
          }[]
        )
          .flatMap((p) => p.PolicyDocument.Statement)
          .filter((s) => asArray(s.Action).includes("lambda:InvokeFunction"))
          .flatMap((s) => asArray(s.Resource).map(show)),
      );
      // Lambda tasks name their function as the Resource (the direct ARN) or as lambda:invoke's FunctionName.
      const functionPlaceholders = [
        ...definition().matchAll(/"(?:Resource|FunctionName)"\s*:\s*"\$\{(\w+FunctionArn)\}"/g),
      ].map((m) => m[1]);
      expect(functionPlaceholders.length).toBeGreaterThan(0);
      for (const name of functionPlaceholders) {
        expect(invokable.has(show(substitutions[name as string])), name).toBe(true);
      }
    });

    it("sends the Spark job's logs only where the job role may write them", () => {
      const writable = (
        prop(resource(template, "SparkJobRole"), "Properties.Policies") as {
          PolicyDocument: { Statement: Statement[] };
        }[]
      )
        .flatMap((p) => p.PolicyDocument.Statement)
        .filter((s) => asArray(s.Action).includes("s3:PutObject"))
        .flatMap((s) => asArray(s.Resource).map(show));
      const bucketArn: Record<string, string> = {
        ArtifactsBucket: "ArtifactsBucket.Arn",
        CuratedBucket: "CuratedBucket.Arn",
      };
      const logUris = [
        ...[...definition().matchAll(/"LogUri"\s*:\s*"s3:\/\/\$\{(\w+)\}\/([^"]*)"/g)].map((m) => [
          m[1],
          m[2],
        ]),
        ["ArtifactsBucket", "emr-logs/"],
      ] as [string, string][];
      for (const [bucket, prefix] of logUris) {
        expect(writable, `s3://\${${bucket}}/${prefix}`).toContain(`\${${bucketArn[bucket]}}/${prefix}*`);
      }
    });

    it("lets every Lambda task wait at least as long as its function may run", () => {
      const substitutions = prop(machine(), "Properties.DefinitionSubstitutions") as Record<string, unknown>;
      const states = (
        JSON.parse(definition()) as { States: Record<string, { Resource?: string; TimeoutSeconds?: number }> }
      ).States;
      let checked = 0;
      for (const [name, state] of Object.entries(states)) {
        const placeholder = /^\$\{(\w+FunctionArn)\}$/.exec(state.Resource ?? "")?.[1];
        if (!placeholder) continue;
        const fnId = show(substitutions[placeholder]).replace(/^GetAtt\((\w+)\.Arn\)$/, "$1");
        const timeout = prop(resource(template, fnId), "Properties.Timeout") as number;
        if (state.TimeoutSeconds !== undefined)
          expect(state.TimeoutSeconds, name).toBeGreaterThanOrEqual(timeout);
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });

    it("uses the .sync EMR Serverless integration its role is written for", () => {
      expect(definition()).toContain("arn:aws:states:::emr-serverless:startJobRun.sync");
    });
  });

  describe("the warehouse", () => {
    it("keeps the admin password in Secrets Manager and encrypts with the stack's key", () => {
      const ns = resource(template, "WarehouseNamespace").Properties;
      expect(prop(ns, "ManageAdminPassword")).toBe(true);
      expect(prop(ns, "AdminUserPassword")).toBeUndefined();
      expect(show(prop(ns, "KmsKeyId"))).toBe("Ref(PipelineKey)");
      expect(prop(resource(template, "PipelineKey"), "Properties.EnableKeyRotation")).toBe(true);
      expect(show(prop(ns, "IamRoles"))).toBe("[GetAtt(WarehouseCopyRole.Arn)]");
    });

    it("authorizes the inbound S3 event integration from the LOAD bucket only", () => {
      const policy = prop(
        resource(template, "WarehouseNamespace"),
        "Properties.NamespaceResourcePolicy.Statement",
      ) as Statement[];
      // Issue 13, risk 8: every statement names its Resource (this account's namespaces in the region: the
      // namespace's own ARN carries an id that exists only once it is created).
      const namespaces =
        "arn:${AWS::Partition}:redshift-serverless:${AWS::Region}:${AWS::AccountId}:namespace/*";
      expect(
        policy.map((s) => `${show(s.Principal)} ${s.Action} ${show(s.Resource)} ${show(s.Condition)}`),
      ).toEqual([
        `{Service: redshift.amazonaws.com} redshift:AuthorizeInboundIntegration ${namespaces} {StringEquals: {aws:SourceArn: GetAtt(LoadBucket.Arn)}}`,
        `{AWS: arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root} redshift:CreateInboundIntegration ${namespaces} {StringEquals: {aws:SourceArn: GetAtt(LoadBucket.Arn)}}`,
      ]);
    });

    it("lets only Redshift acting for this account assume the COPY role", () => {
      const trust = prop(
        resource(template, "WarehouseCopyRole"),
        "Properties.AssumeRolePolicyDocument.Statement",
      ) as Statement[];
      expect(trust.map((s) => `${show(s.Principal)} ${s.Action} ${show(s.Condition)}`)).toEqual([
        "{Service: [redshift.amazonaws.com, redshift-serverless.amazonaws.com]} sts:AssumeRole {StringEquals: {aws:SourceAccount: Ref(AWS::AccountId)}}",
      ]);
    });

    it("integrates the LOAD bucket with the namespace once both policies are in place", () => {
      const integration = resource(template, "LoadBucketIntegration");
      expect(show(prop(integration, "Properties.SourceArn"))).toBe("GetAtt(LoadBucket.Arn)");
      expect(show(prop(integration, "Properties.TargetArn"))).toBe(
        "GetAtt(WarehouseNamespace.Namespace.NamespaceArn)",
      );
      expect(asArray(integration.DependsOn)).toEqual(expect.arrayContaining(["LoadBucketPolicy"]));
    });

    it(`sizes the workgroup for the stage (${expected.baseRpu}-${expected.maxRpu} RPU), private, in three subnets`, () => {
      const wg = resource(template, "RedshiftWorkgroup").Properties;
      expect(prop(wg, "BaseCapacity")).toBe(expected.baseRpu);
      expect(prop(wg, "MaxCapacity")).toBe(expected.maxRpu);
      expect(prop(wg, "PubliclyAccessible")).toBe(false);
      // Issue 13, risk 2: off, COPY reaches S3 (and whatever Parquet needs) without routes in this VPC.
      expect(prop(wg, "EnhancedVpcRouting")).toBe(false);
      expect(show(prop(wg, "NamespaceName"))).toBe("Ref(WarehouseNamespace)");
      expect(conditionHolds(template, "CreateVpc")).toBe(true);
      const subnets = chooseIf(template, prop(wg, "SubnetIds")) as unknown[];
      expect(subnets.map(show)).toEqual([
        "Ref(WarehouseSubnetA)",
        "Ref(WarehouseSubnetB)",
        "Ref(WarehouseSubnetC)",
      ]);
      // Issue 13, risk 3: placed by AZ ID (the same zone in every account), never by AZ name.
      const zones = ["WarehouseSubnetA", "WarehouseSubnetB", "WarehouseSubnetC"].map((id, index) => {
        const subnet = resource(template, id).Properties;
        expect(prop(subnet, "AvailabilityZone"), id).toBeUndefined();
        const select = prop(subnet, "AvailabilityZoneId") as { "Fn::Select": [number, unknown] };
        expect(select["Fn::Select"][0], id).toBe(index);
        return chooseIf(template, select["Fn::Select"][1]);
      });
      expect(conditionHolds(template, "HasRedshiftAzIds")).toBe(false);
      expect(zones.map(show)).toEqual(Array(3).fill("FindInMap([RedshiftAzIds, Ref(AWS::Region), Ids])"));
      const mapping = (template as unknown as { Mappings: Record<string, Record<string, { Ids: string[] }>> })
        .Mappings.RedshiftAzIds;
      for (const [region, { Ids }] of Object.entries(mapping ?? {})) {
        expect(new Set(Ids).size, region).toBe(3);
        for (const id of Ids) expect(id, region).toMatch(/^[a-z]+[0-9]-az[0-9]$/);
      }
      expect(Object.keys(mapping ?? {})).toContain("us-east-1");
    });

    it("gives the VPC no way out but the S3 gateway endpoint", () => {
      expect(resourcesOfType(template, "AWS::EC2::InternetGateway")).toEqual([]);
      expect(resourcesOfType(template, "AWS::EC2::NatGateway")).toEqual([]);
      expect(resourcesOfType(template, "AWS::EC2::Route")).toEqual([]);
      const endpoint = resource(template, "WarehouseS3Endpoint").Properties;
      expect(prop(endpoint, "VpcEndpointType")).toBe("Gateway");
      expect(show(prop(endpoint, "ServiceName"))).toBe("com.amazonaws.${AWS::Region}.s3");
      expect(
        prop(resource(template, "WarehouseSecurityGroup"), "Properties.SecurityGroupIngress"),
      ).toBeUndefined();
    });

    it("lets the loader own COPY JOBs in the very database the namespace creates", () => {
      const grant = readFileSync(path.join(ROOT, "sql/ddl/096_grant_loader_copy_jobs.sql"), "utf8");
      const database = prop(resource(template, "WarehouseNamespace"), "Properties.DbName");
      expect(grant).toMatch(
        new RegExp(`FOR COPY JOBS IN DATABASE ${String(database)} TO ROLE pipeline_loader`),
      );
      expect(show(prop(resource(template, "WarehouseMigrations"), "Properties.LoaderRoleArn"))).toBe(
        "GetAtt(AwaitLoadRole.Arn)",
      );
      expect(asArray(resource(template, "WarehouseMigrations").DependsOn)).toContain(
        "MigrateWarehouseAssumesLoaderPolicy",
      );
    });

    it(`takes a final snapshot on deletion only in prod (${stage}: ${expected.finalSnapshot})`, () => {
      expect(conditionHolds(template, "RedshiftFinalSnapshot")).toBe(expected.finalSnapshot);
    });

    it("applies the migrations after the stack is up, through migrate-warehouse, when a migration file changes", () => {
      const migrations = resource(template, "WarehouseMigrations");
      expect(show(prop(migrations, "Properties.ServiceToken"))).toBe(
        "GetAtt(MigrateDashwarehouseLambdaFunction.Arn)",
      );
      expect(asArray(migrations.DependsOn)).toEqual(
        expect.arrayContaining(["LoadBucketIntegration", "RedshiftWorkgroup"]),
      );
      const { migrationsChecksum } = createRequire(import.meta.url)(
        "../../infra/serverless/sql-checksum.cjs",
      ) as {
        migrationsChecksum: (root: string) => string;
      };
      expect(prop(migrations, "Properties.MigrationsChecksum")).toBe(migrationsChecksum(ROOT));
    });
  });

  describe("alerts and alarms", () => {
    const alarm = (id: string) => resource(template, id).Properties;

    it("sends every alarm to the alert topic, which is encrypted with the stack's key", () => {
      const alarms = resourcesOfType(template, "AWS::CloudWatch::Alarm");
      expect(alarms.length).toBeGreaterThanOrEqual(3);
      for (const [id, a] of alarms) {
        expect(show(prop(a, "Properties.AlarmActions")), id).toBe("[Ref(AlertTopic)]");
        expect(prop(a, "Properties.TreatMissingData"), id).toBe("notBreaching");
      }
      expect(show(prop(resource(template, "AlertTopic"), "Properties.KmsMasterKeyId"))).toBe(
        "Ref(PipelineKey)",
      );
    });

    it("alarms on failed executions of this state machine", () => {
      expect(prop(alarm("PipelineExecutionsFailedAlarm"), "MetricName")).toBe("ExecutionsFailed");
      expect(show(prop(alarm("PipelineExecutionsFailedAlarm"), "Dimensions"))).toBe(
        "[{Name: StateMachineArn, Value: Ref(PipelineStateMachine)}]",
      );
    });

    it("alarms as soon as the DLQ holds a message", () => {
      const dlq = alarm("RawEventsDeadLetterAlarm");
      expect(prop(dlq, "MetricName")).toBe("ApproximateNumberOfMessagesVisible");
      expect(show(prop(dlq, "Dimensions"))).toBe(
        "[{Name: QueueName, Value: GetAtt(RawEventsDeadLetterQueue.QueueName)}]",
      );
      expect(prop(dlq, "Threshold")).toBe(1);
    });

    it("alarms on the data-quality metric that check-quality is configured to emit", () => {
      const dq = alarm("DataQualityFailuresAlarm");
      const env = prop(
        resource(template, "CheckDashqualityLambdaFunction"),
        "Properties.Environment.Variables",
      ) as Record<string, unknown>;
      expect(prop(dq, "Namespace")).toBe(env.POWERTOOLS_METRICS_NAMESPACE);
      expect(prop(dq, "Namespace")).toBe(`SalesPipeline/${stage}`);
      expect(prop(dq, "MetricName")).toBe(env.DQ_FAILURE_METRIC);
      expect(show(prop(dq, "Dimensions"))).toBe(
        `[{Name: service, Value: ${String(env.POWERTOOLS_SERVICE_NAME)}}]`,
      );
    });

    it("alarms on the run-record metric that record-run is configured to emit", () => {
      const records = alarm("RunRecordFailuresAlarm");
      const env = prop(
        resource(template, "RecordDashrunLambdaFunction"),
        "Properties.Environment.Variables",
      ) as Record<string, unknown>;
      expect(prop(records, "Namespace")).toBe(env.POWERTOOLS_METRICS_NAMESPACE);
      expect(prop(records, "MetricName")).toBe(env.RUN_RECORD_FAILURE_METRIC);
      expect(show(prop(records, "Dimensions"))).toBe(
        `[{Name: service, Value: ${String(env.POWERTOOLS_SERVICE_NAME)}}]`,
      );
      expect(show(prop(records, "AlarmActions"))).toBe("[Ref(AlertTopic)]");
    });

    it(`subscribes the alarm address given at deploy (${stage}: ${expected.alarmEmail ?? "none"})`, () => {
      expect(conditionHolds(template, "HasAlarmEmail")).toBe(expected.alarmEmail !== undefined);
      if (expected.alarmEmail) {
        expect(prop(resource(template, "AlertEmailSubscription"), "Properties.Endpoint")).toBe(
          expected.alarmEmail,
        );
      }
    });
  });

  describe("functions", () => {
    const functions = () => resourcesOfType(template, "AWS::Lambda::Function");

    it("run Node 22 on arm64 without source-map support (the maps stay out of the zips) and the stage's log retention", () => {
      for (const [id, fn] of functions()) {
        expect(prop(fn, "Properties.Runtime"), id).toBe("nodejs22.x");
        expect(prop(fn, "Properties.Architectures"), id).toEqual(["arm64"]);
        expect(prop(fn, "Properties.Environment.Variables.NODE_OPTIONS"), id).toBeUndefined();
      }
      for (const [id, group] of resourcesOfType(template, "AWS::Logs::LogGroup")) {
        expect(prop(group, "Properties.RetentionInDays"), id).toBe(expected.logRetention);
        expect(show(prop(group, "Properties.KmsKeyId")), id).toBe("GetAtt(PipelineKey.Arn)");
      }
    });

    it("receive names and ARNs only: no secret, password or token in any environment", () => {
      for (const [id, fn] of functions()) {
        const env = prop(fn, "Properties.Environment.Variables") as Record<string, unknown>;
        for (const [name, value] of Object.entries(env)) {
          expect(name, id).not.toMatch(/SECRET|PASSWORD|TOKEN|CREDENTIAL|_KEY$/);
          expect(show(value), `${id} ${name}`).not.toMatch(/resolve:secretsmanager|resolve:ssm-secure/);
        }
      }
    });

    it("give every warehouse function a statement polling budget, plus the cancel grace, that ends before its own timeout", () => {
      for (const name of [
        "AwaitDashloadLambdaFunction",
        "MergeLambdaFunction",
        "VerifyDashloadLambdaFunction",
        "RecordDashrunLambdaFunction",
      ]) {
        const fn = resource(template, name);
        const budget = Number(prop(fn, "Properties.Environment.Variables.WAREHOUSE_POLL_TIMEOUT_MS"));
        expect(budget, name).toBeGreaterThan(0);
        // A statement still running at the budget is cancelled and watched for DEFAULT_POLL.cancelGraceMs more
        // (issue 13, risk 7): the function must live through both, or it could die before the cancel lands.
        expect(budget + DEFAULT_POLL.cancelGraceMs, name).toBeLessThan(
          Number(prop(fn, "Properties.Timeout")) * 1000,
        );
      }
    });

    it("build the state machine's ARN from its name, never by Ref (no dependency cycle)", () => {
      const env = prop(
        resource(template, "TriggerLambdaFunction"),
        "Properties.Environment.Variables",
      ) as Record<string, unknown>;
      expect(show(env.STATE_MACHINE_ARN)).toBe(
        `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:sales-pipeline-${stage}-pipeline`,
      );
    });
  });

  it("hard-codes no account id and no region (outside the per-region AZ ID defaults)", () => {
    const { Mappings: _regionDefaults, ...rest } = template as unknown as Record<string, unknown>;
    const text = JSON.stringify(rest);
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(text).not.toMatch(
      /\b(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|southeast)-\d\b/,
    );
  });
});
