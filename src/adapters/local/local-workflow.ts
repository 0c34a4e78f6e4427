import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type RunOptions, StateMachine } from "aws-local-stepfunctions";
import { foldHistory, type HistoryEvent } from "../../core/history.js";
import type { RunInput } from "../../documents/run-input.js";
import type {
  ExecutionStatus,
  ExecutionSummary,
  StartResult,
  StateVisit,
  Workflow,
} from "../../ports/workflow.js";

type Execution = ReturnType<StateMachine["run"]>;
type EventLog = Execution["eventLogs"] extends AsyncGenerator<infer E> ? E : never;
type JSONValue = Parameters<StateMachine["run"]>[0];
type TaskOverrides = NonNullable<NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"]>;

/** A Task's local implementation: the same handler code a Lambda runs, or the local Spark runner. */
export type LocalTask = (input: JSONValue) => Promise<JSONValue>;

interface ExecutionFile {
  name: string;
  executionArn: string;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
  error?: string;
  cause?: string;
  input: RunInput;
  output?: JSONValue;
  events: HistoryEvent[];
  /** The process running the execution (the local counterpart of the Step Functions service). */
  owner?: { pid: number };
  /** Set when a later process found the execution RUNNING with its process gone, and failed it. */
  recovered?: { at: string; by: number };
}

/** An execution left RUNNING: its name, its process, and the state it was in. */
export interface UnfinishedExecution {
  readonly name: string;
  readonly ownerPid: number | undefined;
  readonly state: string | undefined;
  readonly startedAt: string;
}

export interface LocalWorkflowEvent {
  readonly execution: string;
  readonly kind: "started" | "state" | "retry" | "finished";
  readonly state?: string;
  readonly status?: ExecutionStatus;
  readonly error?: string;
  readonly cause?: string;
  readonly at: string;
}

export interface LocalWorkflowOptions {
  /** The ASL definition with its placeholders already filled. */
  readonly definition: string;
  /** Task implementation by the (substituted) `Resource` of its Task states. */
  readonly tasks: Readonly<Record<string, LocalTask>>;
  /** Execution records (the local counterpart of Step Functions' execution history). */
  readonly directory: string;
  readonly stateMachineArn: string;
  /** Milliseconds to pause in Wait states (the definition's seconds are for the cloud). */
  readonly waitMs?: number;
  /** Milliseconds to pause before a retry (the definition's backoff is for the cloud). */
  readonly retryMs?: number;
  /** Executions running at once; the rest queue. */
  readonly concurrency?: number;
  readonly onEvent?: (event: LocalWorkflowEvent) => void;
  /** Awaited when an execution has ended, before `idle()` can resolve (the local run record). */
  readonly afterExecution?: (name: string) => Promise<void>;
}

/**
 * Replaces a file's content all at once (a temporary file renamed over it), so a process killed while writing
 * leaves the previous record, never half of one, and a reader never sees half of one either.
 */
const writeAtomically = async (file: string, content: string): Promise<void> => {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
};

/**
 * Carries a task's failure the way Lambda reports it to Step Functions: the error's name as
 * `Error`, and a JSON `Cause` of {errorType, errorMessage, trace}.
 */
class TaskError extends Error {
  constructor(error: unknown) {
    const failure = error instanceof Error ? error : new Error(String(error));
    super(
      JSON.stringify({
        errorType: failure.name,
        errorMessage: failure.message,
        trace: (failure.stack ?? "").split("\n").slice(0, 8),
      }),
    );
    this.name = failure.name;
  }
}

const normalizeEvent = (event: EventLog): HistoryEvent | undefined => {
  const at = new Date(event.timestamp).toISOString();
  switch (event.type) {
    case "StateEntered":
      return { kind: "entered", at, state: event.state.name, type: event.state.type };
    case "StateExited":
      return { kind: "exited", at, state: event.state.name };
    case "StateFailed":
      return {
        kind: "failed",
        at,
        state: event.state.name,
        error: event.Error,
        cause: typeof event.Cause === "string" ? event.Cause : String(event.Cause),
      };
    case "StateRetried":
      return { kind: "retried", at, state: event.state.name };
    case "StateCaught":
      return { kind: "caught", at, state: event.state.name };
    case "ExecutionFailed":
      return {
        kind: "execution_ended",
        at,
        error: event.Error,
        cause: typeof event.Cause === "string" ? event.Cause : String(event.Cause),
      };
    case "ExecutionSucceeded":
    case "ExecutionAborted":
    case "ExecutionTimeout":
      return { kind: "execution_ended", at };
    default:
      return undefined;
  }
};

/**
 * The workflow of the local stage: the same ASL file, run in-process by aws-local-stepfunctions,
 * with every Task overridden (none may call AWS). Execution names are claimed with an exclusive
 * file create, so a second start of the same name is refused like Step Functions refuses it.
 *
 * @example
 *   const workflow = new LocalWorkflow({ definition, tasks, directory, stateMachineArn });
 *   await workflow.start(input.run_id, input);
 *   await workflow.idle();
 */
export class LocalWorkflow implements Workflow {
  private readonly machine: StateMachine;
  private readonly overrides: TaskOverrides;
  private readonly waits: Record<string, number>;
  private readonly retries: Record<string, number>;
  private readonly running = new Set<Promise<void>>();
  private readonly queue: (() => void)[] = [];
  private active = 0;
  private readonly records: LocalExecutionStore;

  constructor(private readonly options: LocalWorkflowOptions) {
    this.records = new LocalExecutionStore(options.directory);
    const definition = JSON.parse(options.definition) as {
      States: Record<string, { Type: string; Resource?: string; Retry?: unknown[] }>;
    };
    this.machine = new StateMachine(definition as never);
    this.overrides = {};
    this.waits = {};
    this.retries = {};
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type === "Task") {
        const task = state.Resource ? options.tasks[state.Resource] : undefined;
        // Without an override the runner would invoke AWS Lambda: refuse to build instead.
        if (!task) throw new Error(`Task state ${name} (${state.Resource}) has no local implementation`);
        this.overrides[name] = async (input) => {
          try {
            return await task(input);
          } catch (error) {
            throw new TaskError(error);
          }
        };
      }
      if (state.Type === "Wait") this.waits[name] = options.waitMs ?? 50;
      if (state.Retry) this.retries[name] = options.retryMs ?? 10;
    }
  }

  private file(name: string): string {
    return join(this.options.directory, `${name}.json`);
  }

  private arn(name: string): string {
    return `${this.options.stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
  }

  async start(name: string, input: RunInput): Promise<StartResult> {
    await mkdir(this.options.directory, { recursive: true });
    const record: ExecutionFile = {
      name,
      executionArn: this.arn(name),
      status: "RUNNING",
      startedAt: new Date().toISOString(),
      input,
      events: [],
      owner: { pid: process.pid },
    };
    try {
      await writeFile(this.file(name), JSON.stringify(record), { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST")
        return { executionArn: record.executionArn, alreadyExisted: true };
      throw error;
    }
    const done = this.schedule(() => this.execute(record));
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
    return { executionArn: record.executionArn, alreadyExisted: false };
  }

  /** Resolves when every execution started so far (and those they queue) has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private schedule(job: () => Promise<void>): Promise<void> {
    const limit = this.options.concurrency ?? 1;
    return new Promise<void>((resolve) => {
      const run = () => {
        this.active += 1;
        job().finally(() => {
          this.active -= 1;
          resolve();
          this.queue.shift()?.();
        });
      };
      if (this.active < limit) run();
      else this.queue.push(run);
    });
  }

  private async execute(record: ExecutionFile): Promise<void> {
    const emit = (event: Omit<LocalWorkflowEvent, "execution" | "at">) =>
      this.options.onEvent?.({ execution: record.name, at: new Date().toISOString(), ...event });
    record.startedAt = new Date().toISOString();
    emit({ kind: "started" });
    const execution = this.machine.run(record.input as unknown as JSONValue, {
      overrides: {
        taskResourceLocalHandlers: this.overrides,
        waitTimeOverrides: this.waits,
        retryIntervalOverrides: this.retries,
      },
      context: {
        Execution: { Id: record.executionArn, Name: record.name, StartTime: record.startedAt },
        StateMachine: {
          Id: this.options.stateMachineArn,
          Name: this.options.stateMachineArn.split(":").at(-1),
        },
      },
    });
    let persisting = Promise.resolve();
    const persist = () => {
      const snapshot = JSON.stringify(record);
      persisting = persisting.then(() => writeAtomically(this.file(record.name), snapshot));
    };
    const consume = (async () => {
      for await (const event of execution.eventLogs) {
        const normalized = normalizeEvent(event);
        if (!normalized) continue;
        record.events.push(normalized);
        if (normalized.kind === "entered") {
          emit({ kind: "state", ...(normalized.state ? { state: normalized.state } : {}) });
          persist();
        }
        if (normalized.kind === "retried")
          emit({ kind: "retry", ...(normalized.state ? { state: normalized.state } : {}) });
      }
    })();
    try {
      record.output = await execution.result;
      record.status = "SUCCEEDED";
    } catch (error) {
      const cause = (error as { cause?: Error }).cause;
      record.status = "FAILED";
      record.error = cause?.name ?? (error as Error).name;
      record.cause = cause?.message ?? (error as Error).message;
    }
    await consume;
    record.stoppedAt = new Date().toISOString();
    persist();
    await persisting;
    await this.options.afterExecution?.(record.name);
    emit({
      kind: "finished",
      status: record.status,
      ...(record.error ? { error: record.error } : {}),
      ...(record.cause ? { cause: record.cause } : {}),
    });
  }

  describe(name: string): Promise<ExecutionSummary | undefined> {
    return this.records.describe(name);
  }

  list(limit: number): Promise<ExecutionSummary[]> {
    return this.records.list(limit);
  }

  history(name: string): Promise<StateVisit[]> {
    return this.records.history(name);
  }

  details(name: string): ReturnType<LocalExecutionStore["details"]> {
    return this.records.details(name);
  }
}

/**
 * The execution records of the local workflow (`<stage>/executions/<name>.json`): what Step
 * Functions' DescribeExecution, ListExecutions and GetExecutionHistory answer in the cloud. Reading
 * them needs no state machine, so `pipeline runs` works while another process runs the stage.
 */
export class LocalExecutionStore {
  constructor(private readonly directory: string) {}

  private file(name: string): string {
    return join(this.directory, `${name}.json`);
  }

  private async read(name: string): Promise<ExecutionFile | undefined> {
    try {
      return JSON.parse(await readFile(this.file(name), "utf8")) as ExecutionFile;
    } catch {
      return undefined;
    }
  }

  async describe(name: string): Promise<ExecutionSummary | undefined> {
    const record = await this.read(name);
    if (!record) return undefined;
    return {
      name: record.name,
      executionArn: record.executionArn,
      status: record.status,
      startedAt: record.startedAt,
      ...(record.stoppedAt ? { stoppedAt: record.stoppedAt } : {}),
      ...(record.error ? { error: record.error } : {}),
      ...(record.cause ? { cause: record.cause } : {}),
    };
  }

  async list(limit: number): Promise<ExecutionSummary[]> {
    let names: string[];
    try {
      names = (await readdir(this.directory)).filter((file) => file.endsWith(".json"));
    } catch {
      return [];
    }
    const summaries: ExecutionSummary[] = [];
    for (const file of names) {
      const summary = await this.describe(file.slice(0, -".json".length));
      if (summary) summaries.push(summary);
    }
    return summaries.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1)).slice(0, limit);
  }

  async history(name: string): Promise<StateVisit[]> {
    const record = await this.read(name);
    return record ? foldHistory(record.events) : [];
  }

  /** Executions whose record says RUNNING (ours, or left by a process that died). */
  async unfinished(): Promise<UnfinishedExecution[]> {
    let names: string[];
    try {
      names = (await readdir(this.directory)).filter((file) => file.endsWith(".json"));
    } catch {
      return [];
    }
    const found: UnfinishedExecution[] = [];
    for (const file of names.sort()) {
      const record = await this.read(file.slice(0, -".json".length));
      if (record?.status !== "RUNNING") continue;
      const entered = record.events.filter((event) => event.kind === "entered").at(-1);
      found.push({
        name: record.name,
        ownerPid: record.owner?.pid,
        state: entered?.state,
        startedAt: record.startedAt,
      });
    }
    return found;
  }

  /**
   * Ends an execution left RUNNING by a process that died: FAILED with `error` and `cause`, as Step
   * Functions would end one whose task can never report back. Returns false when it is no longer RUNNING.
   */
  async markFailed(name: string, error: string, cause: string, at: Date): Promise<boolean> {
    const record = await this.read(name);
    if (record?.status !== "RUNNING") return false;
    const when = at.toISOString();
    record.status = "FAILED";
    record.error = error;
    record.cause = cause;
    record.stoppedAt = when;
    record.recovered = { at: when, by: process.pid };
    record.events.push({ kind: "execution_ended", at: when, error, cause });
    await writeAtomically(this.file(name), JSON.stringify(record));
    return true;
  }

  /** The execution's input and output (what `pipeline status` shows besides the history). */
  async details(name: string): Promise<{ input: RunInput; output?: JSONValue } | undefined> {
    const record = await this.read(name);
    return record
      ? { input: record.input, ...(record.output !== undefined ? { output: record.output } : {}) }
      : undefined;
  }
}
