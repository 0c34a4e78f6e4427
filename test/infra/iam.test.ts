// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation and ASL ${...} placeholders are data in these tests.
import { beforeAll, describe, expect, it } from "vitest";
import {
  asArray,
  PACKAGE_TIMEOUT_MS,
  packagedTemplate,
  prop,
  resource,
  resourcesOfType,
  roleStatements,
  STAGES,
  type Stage,
  type Statement,
  show,
  type Template,
} from "./support/template.js";

/**
 * Every Allow as "action resource [if condition]" lines, one per action and resource, sorted: comparing whole
 * lists means one extra action or a wider resource fails the test.
 */
const grants = (statements: Statement[]): string[] =>
  statements
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) =>
      asArray(s.Action).flatMap((action) =>
        asArray(s.Resource).map(
          (res) => `${action} ${show(res)}${s.Condition ? ` if ${show(s.Condition)}` : ""}`,
        ),
      ),
    )
    .sort();

const logs = (logGroup: string) => [
  `logs:CreateLogStream GetAtt(${logGroup}.Arn)`,
  `logs:PutLogEvents GetAtt(${logGroup}.Arn)`,
];
const contracts = [
  "s3:ListBucket GetAtt(ArtifactsBucket.Arn)",
  "s3:GetObject ${ArtifactsBucket.Arn}/contracts/*",
];
const alertTopic = [
  "sns:Publish Ref(AlertTopic)",
  "kms:GenerateDataKey GetAtt(PipelineKey.Arn)",
  "kms:Decrypt GetAtt(PipelineKey.Arn)",
];
const ownStatements =
  "if {StringEquals: {redshift-data:statement-owner-iam-userid: Join([, [$, {aws:userid}]])}}";
const dataApi = (auth: string[]) => [
  "redshift-data:ExecuteStatement GetAtt(RedshiftWorkgroup.Workgroup.WorkgroupArn)",
  "redshift-data:BatchExecuteStatement GetAtt(RedshiftWorkgroup.Workgroup.WorkgroupArn)",
  ...auth,
  `redshift-data:DescribeStatement * ${ownStatements}`,
  `redshift-data:GetStatementResult * ${ownStatements}`,
  // A statement still running at the end of the poll budget is cancelled (issue 13, risk 7).
  `redshift-data:CancelStatement * ${ownStatements}`,
];
const iamAuth = ["redshift-serverless:GetCredentials GetAtt(RedshiftWorkgroup.Workgroup.WorkgroupArn)"];

/** The least privilege of each function, derived from what its core step does (src/core). */
const expectedLambdaGrants = (stage: Stage): Record<string, string[]> => {
  const stateMachine = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:sales-pipeline-${stage}-pipeline`;
  const executions = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:sales-pipeline-${stage}-pipeline:*`;
  return {
    TriggerRole: [
      ...logs("TriggerLogGroup"),
      "sqs:ReceiveMessage GetAtt(RawEventsQueue.Arn)",
      "sqs:DeleteMessage GetAtt(RawEventsQueue.Arn)",
      "sqs:ChangeMessageVisibility GetAtt(RawEventsQueue.Arn)",
      "sqs:GetQueueAttributes GetAtt(RawEventsQueue.Arn)",
      `states:StartExecution ${stateMachine}`,
      `states:DescribeExecution ${executions}`,
      ...contracts,
      "s3:PutObject ${CuratedBucket.Arn}/quarantine/_unrouted/*",
      ...alertTopic,
    ],
    // The daily scheduled run: lists the raw bucket, finds the last execution, starts a run (src/core/scheduled-run.ts).
    ScheduledRunRole: [
      ...logs("ScheduledDashrunLogGroup"),
      "s3:ListBucket GetAtt(RawBucket.Arn)",
      `states:ListExecutions ${stateMachine}`,
      `states:StartExecution ${stateMachine}`,
      ...contracts,
    ],
    PlanBatchRole: [
      ...logs("PlanDashbatchLogGroup"),
      ...contracts,
      "s3:PutObject ${CuratedBucket.Arn}/manifests/*",
    ],
    CheckQualityRole: [
      ...logs("CheckDashqualityLogGroup"),
      ...contracts,
      "s3:ListBucket GetAtt(CuratedBucket.Arn) if {StringLike: {s3:prefix: [dq/history/*]}}",
      "s3:GetObject ${CuratedBucket.Arn}/metrics/*",
      "s3:GetObject ${CuratedBucket.Arn}/dq/history/*",
      "s3:PutObject ${CuratedBucket.Arn}/reports/*",
      "s3:PutObject ${CuratedBucket.Arn}/dq/history/*",
    ],
    PublishRole: [
      ...logs("PublishLogGroup"),
      "s3:ListBucket GetAtt(CuratedBucket.Arn) if {StringLike: {s3:prefix: [curated/*]}}",
      "s3:GetObject ${CuratedBucket.Arn}/curated/*",
      "s3:PutObject ${LoadBucket.Arn}/*",
    ],
    AwaitLoadRole: [
      ...logs("AwaitDashloadLogGroup"),
      "s3:ListBucket GetAtt(LoadBucket.Arn)",
      ...dataApi(iamAuth),
    ],
    MergeRole: [...logs("MergeLogGroup"), ...dataApi(iamAuth)],
    VerifyLoadRole: [
      ...logs("VerifyDashloadLogGroup"),
      "s3:GetObject ${CuratedBucket.Arn}/metrics/*",
      ...dataApi(iamAuth),
    ],
    QuarantineRunRole: [
      ...logs("QuarantineDashrunLogGroup"),
      "s3:ListBucket GetAtt(CuratedBucket.Arn) if {StringLike: {s3:prefix: [curated/*]}}",
      "s3:GetObject ${CuratedBucket.Arn}/curated/*",
      "s3:DeleteObject ${CuratedBucket.Arn}/curated/*",
      "s3:PutObject ${CuratedBucket.Arn}/quarantine/_held/*",
      "s3:ListBucket GetAtt(LoadBucket.Arn)",
      "s3:DeleteObject ${LoadBucket.Arn}/*",
    ],
    NotifyRole: [...logs("NotifyLogGroup"), "s3:GetObject ${CuratedBucket.Arn}/reports/*", ...alertTopic],
    RecordRunRole: [
      ...logs("RecordDashrunLogGroup"),
      "s3:ListBucket GetAtt(CuratedBucket.Arn)",
      "s3:GetObject ${CuratedBucket.Arn}/metrics/*",
      "s3:PutObject ${CuratedBucket.Arn}/runs/*",
      "s3:GetObject ${CuratedBucket.Arn}/reports/*",
      // One BatchExecuteStatement per record, followed until it finishes; no query results to read.
      "redshift-data:BatchExecuteStatement GetAtt(RedshiftWorkgroup.Workgroup.WorkgroupArn)",
      ...iamAuth,
      `redshift-data:DescribeStatement * ${ownStatements}`,
      `redshift-data:CancelStatement * ${ownStatements}`,
    ],
    MigrateWarehouseRole: [
      ...logs("MigrateDashwarehouseLogGroup"),
      ...dataApi([
        "redshift-serverless:GetNamespace GetAtt(WarehouseNamespace.Namespace.NamespaceArn)",
        `secretsmanager:GetSecretValue arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:redshift!sales-pipeline-${stage}-*`,
      ]),
      // Becomes the loader to create the COPY JOBs (issue 13, risk 1); attached as a policy of its own.
      "sts:AssumeRole GetAtt(AwaitLoadRole.Arn)",
    ],
  };
};

const lambdaFunctions: Record<string, string> = {
  TriggerLambdaFunction: "TriggerRole",
  PlanDashbatchLambdaFunction: "PlanBatchRole",
  CheckDashqualityLambdaFunction: "CheckQualityRole",
  PublishLambdaFunction: "PublishRole",
  AwaitDashloadLambdaFunction: "AwaitLoadRole",
  MergeLambdaFunction: "MergeRole",
  VerifyDashloadLambdaFunction: "VerifyLoadRole",
  QuarantineDashrunLambdaFunction: "QuarantineRunRole",
  NotifyLambdaFunction: "NotifyRole",
  RecordDashrunLambdaFunction: "RecordRunRole",
  MigrateDashwarehouseLambdaFunction: "MigrateWarehouseRole",
  ScheduledDashrunLambdaFunction: "ScheduledRunRole",
};

/** Actions that have no resource-level permissions in IAM: "*" is the only resource they accept. */
const NO_RESOURCE_LEVEL = new Set([
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  // Data API statements are addressed by id; they are bound to their owner by a condition instead.
  "redshift-data:DescribeStatement",
  "redshift-data:GetStatementResult",
  "redshift-data:CancelStatement",
]);

const allRoleStatements = (template: Template): [string, Statement][] =>
  resourcesOfType(template, "AWS::IAM::Role").flatMap(([id]) =>
    roleStatements(template, id).map((s): [string, Statement] => [id, s]),
  );

describe.each(STAGES)("IAM in the %s template", (stage) => {
  let template: Template;
  beforeAll(() => {
    template = packagedTemplate(stage);
  }, PACKAGE_TIMEOUT_MS);

  it("gives every function its own role, and only the roles listed here exist for functions", () => {
    for (const [fnId, roleId] of Object.entries(lambdaFunctions)) {
      expect(show(prop(resource(template, fnId), "Properties.Role")), fnId).toBe(`GetAtt(${roleId}.Arn)`);
    }
    expect(new Set(Object.values(lambdaFunctions)).size).toBe(Object.keys(lambdaFunctions).length);
    expect(
      resourcesOfType(template, "AWS::Lambda::Function")
        .map(([id]) => id)
        .sort(),
    ).toEqual(Object.keys(lambdaFunctions).sort());
    // serverless' shared default role must not exist: nothing falls back to it.
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it.each(Object.entries(expectedLambdaGrants(stage)))(
    "%s grants exactly its function's needs",
    (roleId, expected) => {
      expect(grants(roleStatements(template, roleId))).toEqual([...expected].sort());
      const trust = prop(
        resource(template, roleId),
        "Properties.AssumeRolePolicyDocument.Statement",
      ) as Statement[];
      expect(trust.map((s) => show(s.Principal))).toEqual([
        "{Service: lambda.amazonaws.com}",
        // The loader identity: migrate-warehouse becomes it to create the COPY JOBs (issue 13, risk 1).
        ...(roleId === "AwaitLoadRole" ? ["{AWS: GetAtt(MigrateWarehouseRole.Arn)}"] : []),
      ]);
    },
  );

  it("maps the runtime roles that query the warehouse to pipeline_runtime, and RecordRun to pipeline_recorder only", () => {
    const taggedWith = (dbRole: string) =>
      resourcesOfType(template, "AWS::IAM::Role")
        .filter(([, role]) =>
          asArray(prop(role, "Properties.Tags") as { Key: string; Value: string }[]).some(
            (tag) => tag.Key === "RedshiftDbRoles" && tag.Value === dbRole,
          ),
        )
        .map(([id]) => id)
        .sort();
    expect(taggedWith("pipeline_runtime")).toEqual(["MergeRole", "VerifyLoadRole"]);
    // AwaitLoad is also the loader: the COPY JOBs' owner (issue 13, risk 1).
    expect(taggedWith("pipeline_runtime:pipeline_loader")).toEqual(["AwaitLoadRole"]);
    expect(taggedWith("pipeline_recorder")).toEqual(["RecordRunRole"]);
  });

  it("gives the state machine exactly what its tasks need, including the .sync EMR Serverless integration", () => {
    const definition = String(
      prop(resource(template, "PipelineStateMachine"), "Properties.DefinitionString"),
    );
    const fnArns = [
      "PlanDashbatch",
      "CheckDashquality",
      "Publish",
      "AwaitDashload",
      "Merge",
      "VerifyDashload",
      "QuarantineDashrun",
      "Notify",
      "RecordDashrun",
    ].flatMap((fn) => [
      `lambda:InvokeFunction GetAtt(${fn}LambdaFunction.Arn)`,
      `lambda:InvokeFunction \${${fn}LambdaFunction.Arn}:*`,
    ]);
    const noResource = [...NO_RESOURCE_LEVEL]
      .filter((a) => !a.startsWith("redshift-data"))
      .map((a) => `${a} *`);
    expect(grants(roleStatements(template, "StateMachineRole"))).toEqual(
      [
        ...fnArns,
        "emr-serverless:StartJobRun GetAtt(SparkApplication.Arn)",
        "emr-serverless:GetJobRun ${SparkApplication.Arn}/jobruns/*",
        "emr-serverless:CancelJobRun ${SparkApplication.Arn}/jobruns/*",
        ...["events:PutTargets", "events:PutRule", "events:DescribeRule"].map(
          (a) =>
            `${a} arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/StepFunctionsGetEventsForEMRServerlessJobRule`,
        ),
        "iam:PassRole GetAtt(SparkJobRole.Arn) if {StringEquals: {iam:PassedToService: emr-serverless.amazonaws.com}}",
        // Only a workflow that publishes to SNS itself needs the topic (here the notify function does it).
        ...(definition.includes("arn:aws:states:::sns:publish") ? alertTopic : []),
        ...noResource,
      ].sort(),
    );
  });

  it("lets the Spark jobs read raw files, code and manifests and write only curated/quarantine/metrics and logs", () => {
    expect(grants(roleStatements(template, "SparkJobRole"))).toEqual(
      [
        "s3:ListBucket GetAtt(RawBucket.Arn)",
        "s3:ListBucket GetAtt(CuratedBucket.Arn)",
        "s3:ListBucket GetAtt(ArtifactsBucket.Arn)",
        "s3:GetObject ${RawBucket.Arn}/*",
        "s3:GetObject ${ArtifactsBucket.Arn}/spark/*",
        "s3:GetObject ${ArtifactsBucket.Arn}/contracts/*",
        "s3:GetObject ${CuratedBucket.Arn}/manifests/*",
        ...["curated", "quarantine", "metrics"].flatMap((p) =>
          ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"].map(
            (a) => `${a} \${CuratedBucket.Arn}/${p}/*`,
          ),
        ),
        ...["${ArtifactsBucket.Arn}/emr-logs/*", "${CuratedBucket.Arn}/logs/emr/*"].flatMap((logs) => [
          `s3:PutObject ${logs}`,
          `s3:AbortMultipartUpload ${logs}`,
        ]),
      ].sort(),
    );
    const trust = prop(
      resource(template, "SparkJobRole"),
      "Properties.AssumeRolePolicyDocument.Statement",
    ) as Statement[];
    expect(trust.map((s) => `${show(s.Principal)} ${show(s.Condition)}`)).toEqual([
      "{Service: emr-serverless.amazonaws.com} {StringEquals: {aws:SourceAccount: Ref(AWS::AccountId)}, ArnEquals: {aws:SourceArn: GetAtt(SparkApplication.Arn)}}",
    ]);
  });

  it("lets COPY read the load bucket and nothing else", () => {
    expect(grants(roleStatements(template, "WarehouseCopyRole"))).toEqual(
      [
        "s3:ListBucket GetAtt(LoadBucket.Arn)",
        "s3:GetBucketLocation GetAtt(LoadBucket.Arn)",
        "s3:GetObject ${LoadBucket.Arn}/*",
      ].sort(),
    );
  });

  it("has no wildcard action, and a '*' resource only where IAM offers no narrower one", () => {
    for (const [roleId, statement] of allRoleStatements(template)) {
      for (const action of asArray(statement.Action)) {
        expect(action, roleId).not.toMatch(/^\*$|:\*$/);
        if (asArray(statement.Resource).some((r) => r === "*")) {
          expect(NO_RESOURCE_LEVEL.has(action), `${roleId} grants ${action} on "*"`).toBe(true);
        }
      }
    }
  });
});
