import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type SFNClient,
  type HistoryEvent as SfnHistoryEvent,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { foldHistory, type HistoryEvent } from "../../core/history.js";
import type { RunInput } from "../../documents/run-input.js";
import type { ExecutionSummary, StartResult, StateVisit, Workflow } from "../../ports/workflow.js";
import { asTransient } from "./errors.js";

const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

const iso = (date: Date | undefined): string => (date ?? new Date(0)).toISOString();

/** Maps one Step Functions history event onto the normalized form `foldHistory` reads. */
export const normalizeSfnEvent = (event: SfnHistoryEvent): HistoryEvent | undefined => {
  const at = iso(event.timestamp);
  const type = event.type ?? "";
  if (type.endsWith("StateEntered")) {
    return {
      kind: "entered",
      at,
      state: event.stateEnteredEventDetails?.name ?? "?",
      type: type.replace("StateEntered", ""),
    };
  }
  if (type.endsWith("StateExited"))
    return { kind: "exited", at, state: event.stateExitedEventDetails?.name ?? "?" };
  if (type === "TaskScheduled" || type === "LambdaFunctionScheduled") return { kind: "scheduled", at };
  const failure =
    event.taskFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.taskSubmitFailedEventDetails ??
    event.taskStartFailedEventDetails;
  if (failure) return { kind: "failed", at, error: failure.error ?? "", cause: failure.cause ?? "" };
  if (type === "ExecutionFailed" || type === "ExecutionAborted" || type === "ExecutionTimedOut") {
    return {
      kind: "execution_ended",
      at,
      error: event.executionFailedEventDetails?.error ?? type,
      cause: event.executionFailedEventDetails?.cause ?? "",
    };
  }
  if (type === "ExecutionSucceeded") return { kind: "execution_ended", at };
  return undefined;
};

/**
 * Step Functions (Standard) behind the workflow port. A duplicate start is reported as
 * `alreadyExisted`, not thrown: S3 delivers events at least once.
 *
 * @example
 *   const workflow = new SfnWorkflow(new SFNClient({}), config.stateMachineArn);
 *   await workflow.start(input.run_id, input);
 */
export class SfnWorkflow implements Workflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: RunInput): Promise<StartResult> {
    try {
      const response = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return {
        executionArn: response.executionArn ?? executionArnOf(this.stateMachineArn, name),
        alreadyExisted: false,
      };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error)?.name === "ExecutionAlreadyExists") {
        return { executionArn: executionArnOf(this.stateMachineArn, name), alreadyExisted: true };
      }
      throw asTransient(error, `StartExecution ${name}`);
    }
  }

  async describe(name: string): Promise<ExecutionSummary | undefined> {
    try {
      const response = await this.client.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, name) }),
      );
      return {
        name: response.name ?? name,
        executionArn: response.executionArn ?? executionArnOf(this.stateMachineArn, name),
        status: (response.status ?? "RUNNING") as ExecutionSummary["status"],
        startedAt: iso(response.startDate),
        ...(response.stopDate ? { stoppedAt: iso(response.stopDate) } : {}),
        ...(response.error ? { error: response.error } : {}),
        ...(response.cause ? { cause: response.cause } : {}),
      };
    } catch (error) {
      if ((error as Error)?.name === "ExecutionDoesNotExist") return undefined;
      throw asTransient(error, `DescribeExecution ${name}`);
    }
  }

  async list(limit: number): Promise<ExecutionSummary[]> {
    const response = await this.client.send(
      new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, maxResults: Math.min(limit, 1000) }),
    );
    return (response.executions ?? []).map((execution) => ({
      name: execution.name ?? "",
      executionArn: execution.executionArn ?? "",
      status: (execution.status ?? "RUNNING") as ExecutionSummary["status"],
      startedAt: iso(execution.startDate),
      ...(execution.stopDate ? { stoppedAt: iso(execution.stopDate) } : {}),
    }));
  }

  async history(name: string): Promise<StateVisit[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const response = await this.client.send(
        new GetExecutionHistoryCommand({
          executionArn: executionArnOf(this.stateMachineArn, name),
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const event of response.events ?? []) {
        const normalized = normalizeSfnEvent(event);
        if (normalized) events.push(normalized);
      }
      nextToken = response.nextToken;
    } while (nextToken);
    return foldHistory(events);
  }
}
