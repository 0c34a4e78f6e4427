import { beforeAll, describe, expect, it } from "vitest";
import {
  conditionHolds,
  PACKAGE_TIMEOUT_MS,
  packagedTemplate,
  prop,
  resource,
  resourcesOfType,
  roleStatements,
  STAGES,
  show,
  type Template,
} from "./support/template.js";

/** Whether each stage's daily scheduled run is on by default (serverless.yml params). */
const ENABLED = { dev: false, prod: true } as const;

describe.each(STAGES)("the daily scheduled run in the %s template", (stage) => {
  let template: Template;
  beforeAll(() => {
    template = packagedTemplate(stage);
  }, PACKAGE_TIMEOUT_MS);

  it(`is one EventBridge Scheduler schedule, ${ENABLED[stage] ? "ENABLED" : "DISABLED"} by default, at 02:00 UTC daily`, () => {
    expect(resourcesOfType(template, "AWS::Scheduler::Schedule").map(([id]) => id)).toEqual([
      "DailyRunSchedule",
    ]);
    const schedule = resource(template, "DailyRunSchedule");
    expect(conditionHolds(template, "ScheduleEnabled")).toBe(ENABLED[stage]);
    expect(show(prop(schedule, "Properties.State"))).toBe("If([ScheduleEnabled, ENABLED, DISABLED])");
    expect(prop(schedule, "Properties")).toMatchObject({
      Name: `sales-pipeline-${stage}-daily-run`,
      ScheduleExpression: "cron(0 2 * * ? *)",
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: {
        Input: `{"schedule": "sales-pipeline-${stage}-daily-run"}`,
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(show(prop(schedule, "Properties.Target.Arn"))).toBe("GetAtt(ScheduledDashrunLambdaFunction.Arn)");
    expect(show(prop(schedule, "Properties.Target.RoleArn"))).toBe("GetAtt(ScheduledRunSchedulerRole.Arn)");
  });

  it("invokes the scheduled-run function through a role that may invoke that function only", () => {
    const trust = prop(
      resource(template, "ScheduledRunSchedulerRole"),
      "Properties.AssumeRolePolicyDocument.Statement",
    );
    expect(show(trust)).toBe(
      "[{Effect: Allow, Principal: {Service: scheduler.amazonaws.com}, Action: sts:AssumeRole, Condition: {StringEquals: {aws:SourceAccount: Ref(AWS::AccountId)}}}]",
    );
    expect(show(roleStatements(template, "ScheduledRunSchedulerRole"))).toBe(
      "[{Sid: InvokeScheduledRun, Effect: Allow, Action: [lambda:InvokeFunction], Resource: GetAtt(ScheduledDashrunLambdaFunction.Arn)}]",
    );
  });

  it("gives the function the state machine's ARN", () => {
    const variables = prop(
      resource(template, "ScheduledDashrunLambdaFunction"),
      "Properties.Environment.Variables",
    );
    expect(prop(variables, "POWERTOOLS_SERVICE_NAME")).toBe("scheduled-run");
    expect(show(prop(variables, "STATE_MACHINE_ARN"))).toBe(
      `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:sales-pipeline-${stage}-pipeline`,
    );
  });
});
