import { readFile } from "node:fs/promises";
import validator from "asl-validator";
import { describe, expect, it } from "vitest";
import {
  ASL_PLACEHOLDERS,
  EMR_SYNC_RESOURCE,
  jsonPathOnlyViolations,
  placeholdersOf,
  substitute,
  TASK_FUNCTIONS,
} from "../../src/core/asl.js";
import { SPARK_ERROR_NAMES, SparkJobError, SparkProcessError } from "../../src/core/errors.js";
import { sparkEntryPoint, sparkSubmitParameters } from "../../src/core/spark-job.js";

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: { Next: string; Variable?: string; NumericGreaterThanEquals?: number }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
}

const text = await readFile("state-machines/pipeline.asl.json", "utf8");

/** Values shaped like the deploy's DefinitionSubstitutions. */
const deployed = substitute(
  text,
  Object.fromEntries(
    ASL_PLACEHOLDERS.map((name) => {
      if (name.endsWith("FunctionArn")) {
        const fn = TASK_FUNCTIONS[name as keyof typeof TASK_FUNCTIONS];
        return [name, `arn:aws:lambda:eu-west-1:123456789012:function:sales-pipeline-dev-${fn}`];
      }
      if (name === "EmrApplicationId") return [name, "00fabcdef1234567"];
      if (name === "EmrJobRoleArn")
        return [name, "arn:aws:iam::123456789012:role/sales-pipeline-dev-emr-job"];
      if (name === "AlertTopicArn")
        return [name, "arn:aws:sns:eu-west-1:123456789012:sales-pipeline-dev-alerts"];
      return [name, `sales-pipeline-dev-${name.replace("Bucket", "").toLowerCase()}`];
    }),
  ),
);
const definition = JSON.parse(deployed) as { StartAt: string; States: Record<string, State> };
const states = definition.States;

const successors = (state: State): string[] => [
  ...(state.Next ? [state.Next] : []),
  ...(state.Default ? [state.Default] : []),
  ...(state.Choices ?? []).map((choice) => choice.Next),
  ...(state.Catch ?? []).map((c) => c.Next),
];

describe("state-machines/pipeline.asl.json", () => {
  it("is valid ASL once the deploy has filled its placeholders", () => {
    const result = validator(structuredClone(definition), { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it("uses exactly the placeholders the deploy fills", () => {
    expect(placeholdersOf(text)).toEqual(ASL_PLACEHOLDERS);
  });

  it("is JSONPath only: no JSONata, no QueryLanguage, no Assign variables", () => {
    expect(jsonPathOnlyViolations(JSON.parse(text))).toEqual([]);
    expect(text).not.toMatch(/JSONata|QueryLanguage|"Assign"|\{%/);
  });

  it("would be caught if JSONata or variables crept in", () => {
    expect(
      jsonPathOnlyViolations({
        QueryLanguage: "JSONata",
        States: {
          A: { Type: "Pass", Assign: { x: 1 }, Output: "{% $states.input %}", Next: "B" },
          B: { Type: "Pass", Parameters: { "y.$": "$x" }, End: true },
        },
      }),
    ).toEqual([
      "QueryLanguage at $",
      "Assign at $.States.A",
      "Output at $.States.A",
      "JSONata expression at $.States.A.Output",
      "variable reference $x at $.States.B.Parameters.y.$",
    ]);
  });

  it("runs PlanBatch -> Transform -> CheckQuality -> Gate -> Publish -> AwaitLoad -> Merge -> VerifyLoad", () => {
    expect(definition.StartAt).toBe("PlanBatch");
    expect(states.PlanBatch?.Next).toBe("TrimState");
    expect(states.TrimState?.Next).toBe("Transform");
    expect(states.Transform?.Next).toBe("CheckQuality");
    expect(states.CheckQuality?.Next).toBe("Gate");
    expect(states.Gate?.Type).toBe("Choice");
    expect(states.Gate?.Default).toBe("Publish");
    expect(states.Publish?.Next).toBe("StartLoadPolling");
    expect(states.StartLoadPolling?.Next).toBe("AwaitLoad");
    expect(states.LoadComplete?.Choices?.[0]?.Next).toBe("Merge");
    expect(states.Merge?.Next).toBe("VerifyLoad");
    expect(states.VerifyLoad?.Next).toBe("RecordSuccess");
  });

  it("transforms with EMR Serverless .sync and the same job settings the CLI uses", () => {
    const transform = states.Transform as State;
    expect(transform.Resource).toBe(EMR_SYNC_RESOURCE);
    expect(transform.Parameters).toMatchObject({
      ApplicationId: "00fabcdef1234567",
      "Name.$": "$.run_id",
      JobDriver: {
        SparkSubmit: {
          EntryPoint: sparkEntryPoint("sales-pipeline-dev-artifacts"),
          "EntryPointArguments.$": "$.plan.spark_arguments",
          SparkSubmitParameters: sparkSubmitParameters("sales-pipeline-dev-artifacts"),
        },
      },
    });
    // The local runner's default task timeout is 60 s: a Spark job needs its own.
    expect(transform.TimeoutSeconds).toBeGreaterThanOrEqual(3600);
    expect(transform.Retry?.[0]?.ErrorEquals).toEqual(
      expect.arrayContaining([
        "EMRServerless.ServiceQuotaExceededException",
        "EMRServerless.ThrottlingException",
        "TransientError",
      ]),
    );
  });

  it("retries Transform only on what may pass next time: never a job run that failed", () => {
    const transform = states.Transform as State;
    const retried = (transform.Retry ?? [])
      .filter((r) => (r.MaxAttempts ?? 3) > 0)
      .flatMap((r) => r.ErrorEquals);
    // EMR Serverless .sync reports every failed job run (bad data, bad contract) as States.TaskFailed: running it
    // again would fail again, so neither it nor a wildcard may be retried; its API's throttling/capacity may.
    expect(retried).not.toContain("States.TaskFailed");
    expect(retried).not.toContain("States.ALL");
    expect(retried).toEqual(
      expect.arrayContaining([
        "EMRServerless.ServiceQuotaExceededException",
        "EMRServerless.ThrottlingException",
        "EMRServerless.InternalServerException",
        "TransientError",
        SPARK_ERROR_NAMES.processDied,
      ]),
    );
    const permanent = Object.values(SPARK_ERROR_NAMES).filter((n) => n !== SPARK_ERROR_NAMES.processDied);
    expect(permanent).toHaveLength(5);
    for (const name of permanent) expect(retried, name).not.toContain(name);
    // The names the local runner's errors carry are the ones the Retry lists (or not).
    expect(retried).toContain(new SparkProcessError("died").name);
    for (const errorType of [
      "ContractError",
      "AnalysisException",
      "ParseException",
      "ConservationError",
      "ManifestError",
      "InputError",
      "SparkException",
    ]) {
      expect(retried, errorType).not.toContain(new SparkJobError("x", errorType).name);
    }
    // Whatever is not retried goes to the failure path.
    expect(transform.Catch?.[0]).toMatchObject({ ErrorEquals: ["States.ALL"], Next: "QuarantineRun" });
  });

  it("retries transient errors on every Lambda task and serialization conflicts on Merge", () => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Task" || state.Resource === EMR_SYNC_RESOURCE) continue;
      const retried = (state.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried, name).toEqual(
        expect.arrayContaining(["TransientError", "Lambda.TooManyRequestsException"]),
      );
      expect(state.TimeoutSeconds, name).toBeLessThanOrEqual(900);
    }
    expect(states.Merge?.Retry?.[0]?.ErrorEquals).toEqual(["SerializationConflictError"]);
    // A Data API poll that ran out of budget is retried where the statement only reads (the SELECT may simply
    // have been slow); a merge that outlived its ~9.5 min budget goes to the failure path and waits for a redrive.
    for (const name of ["AwaitLoad", "VerifyLoad"]) {
      expect(
        states[name]?.Retry?.flatMap((r) => r.ErrorEquals),
        name,
      ).toContain("WarehouseTimeoutError");
    }
    expect(states.Merge?.Retry?.flatMap((r) => r.ErrorEquals)).not.toContain("WarehouseTimeoutError");
  });

  it("catches every failure of the main path into quarantine, record and notify", () => {
    const failurePath = new Set(["QuarantineRun", "RecordFailure", "NotifyFailure", "RunFailed"]);
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Task") continue;
      const catcher = state.Catch?.find((c) => c.ErrorEquals.includes("States.ALL"));
      expect(catcher, `${name} has a States.ALL catcher`).toBeDefined();
      if (!failurePath.has(name) && !["RecordSuccess", "RecordQualityFailure"].includes(name)) {
        expect(catcher?.Next, name).toBe("QuarantineRun");
        expect(catcher?.ResultPath, name).toBe("$.error");
      }
    }
    expect(states.QuarantineRun?.Next).toBe("RecordFailure");
    expect(states.RecordFailure?.Next).toBe("NotifyFailure");
    expect(states.NotifyFailure?.Next).toBe("RunFailed");
    expect(states.RunFailed?.Type).toBe("Fail");
  });

  it("bounds the load polling loop", () => {
    const bound = states.LoadComplete?.Choices?.find((c) => c.Variable === "$.load.attempt");
    expect(bound?.NumericGreaterThanEquals).toBeGreaterThan(0);
    expect(bound?.Next).toBe("LoadTimedOut");
    expect(states.WaitForLoad?.Next).toBe("AwaitLoad");
  });

  it("reaches every state from the start and ends only in Succeed or Fail", () => {
    const seen = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(...successors(states[name] as State));
    }
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
    const terminal = Object.entries(states).filter(([, s]) => successors(s).length === 0);
    expect(terminal.map(([, s]) => s.Type).sort()).toEqual(["Fail", "Fail", "Succeed"]);
  });
});
