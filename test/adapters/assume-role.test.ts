import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { assumedRole } from "../../src/adapters/aws/assume-role.js";
import { TransientError } from "../../src/errors.js";

const sts = mockClient(STSClient);
const LOADER = "arn:aws:iam::123456789012:role/sales-pipeline-dev-AwaitLoadRole-Q1W2E3R4T5Y6";

beforeEach(() => {
  sts.reset();
});

describe("assumedRole (migrate-warehouse acting as the loader)", () => {
  it("asks STS for 15 minutes of the loader role under a named session, and hands back SDK credentials", async () => {
    const expiration = new Date("2026-12-06T21:30:00Z");
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIAEXAMPLE",
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: expiration,
      },
    });
    const credentials = await assumedRole(
      new STSClient({ region: "eu-west-1" }),
      LOADER,
      "migrate-warehouse",
    )();
    expect(credentials).toEqual({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration,
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: LOADER, RoleSessionName: "migrate-warehouse", DurationSeconds: 900 },
    ]);
  });

  it("is a retryable TransientError when STS throttles, and names an empty answer", async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
    await expect(assumedRole(new STSClient({}), LOADER, "m")()).rejects.toBeInstanceOf(TransientError);
    sts.on(AssumeRoleCommand).resolves({});
    await expect(assumedRole(new STSClient({}), LOADER, "m")()).rejects.toThrow(/returned no credentials/);
  });

  it("lets an access denial through as it is (not retryable): the trust or the policy is wrong", async () => {
    const denied = Object.assign(new Error("not authorized to perform: sts:AssumeRole"), {
      name: "AccessDenied",
    });
    sts.on(AssumeRoleCommand).rejects(denied);
    await expect(assumedRole(new STSClient({}), LOADER, "m")()).rejects.toBe(denied);
  });
});
