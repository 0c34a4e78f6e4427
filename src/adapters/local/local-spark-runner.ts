import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync, type WriteStream, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { SparkProcessError } from "../../core/errors.js";
import { type SparkFailureReport, sparkFailure, sparkFailureReportSchema } from "../../core/spark-job.js";
import type { SparkJobRequest, SparkJobResult, SparkRunner } from "../../ports/spark-runner.js";

export interface LocalSparkOptions {
  /** The Python of the project's virtualenv (with PySpark). */
  readonly python: string;
  /** `spark/src`, put on PYTHONPATH. */
  readonly sparkSrc: string;
  /** `spark/job.py`, the cold entry point. */
  readonly jobScript: string;
  /** `warm`: one process kept across runs (cold when it cannot start); `cold`: a process per run. */
  readonly mode: "warm" | "cold";
  /** Spark's own output (stderr of the Python processes) goes here. */
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
  /** How long the warm process may take to print `{"ready": true}`. */
  readonly startTimeoutMs?: number;
  /**
   * Where each Spark process started is recorded (`<pid>.json`: its pid and this process's) while it runs, so
   * that if this process dies, the next one to open the stage can stop the orphan (`src/local/recovery.ts`).
   */
  readonly processDirectory?: string;
}

/** What `processDirectory` holds per running Spark process. */
export interface SparkProcessRecord {
  readonly pid: number;
  /** The process that started it (the CLI). */
  readonly parent: number;
  readonly kind: "warm" | "cold";
  readonly run_id: string | null;
  readonly started_at: string;
}

const recordProcess = (
  directory: string | undefined,
  child: ChildProcess,
  kind: "warm" | "cold",
  runId: string | null,
): void => {
  if (!directory || child.pid === undefined) return;
  const file = join(directory, `${child.pid}.json`);
  const record: SparkProcessRecord = {
    pid: child.pid,
    parent: process.pid,
    kind,
    run_id: runId,
    started_at: new Date().toISOString(),
  };
  mkdirSync(directory, { recursive: true });
  writeFileSync(file, `${JSON.stringify(record)}\n`);
  child.once("exit", () => rmSync(file, { force: true }));
};

interface WarmResponse {
  readonly id?: string;
  readonly ready?: boolean;
  readonly ok?: boolean;
  readonly metrics_uri?: string;
  readonly seconds?: number;
  readonly error_type?: string;
  /** The exception's full name (the Java class for a JVM exception), `error_type` when absent. */
  readonly exception?: string;
  readonly message?: string;
  /** True when the job's Spark session itself is gone (the warm process then exits). */
  readonly retryable?: boolean;
}

/** The last `{"error_type": …}` JSON line the cold job logged (after a log prefix), if any. */
export const loggedReport = (log: string): SparkFailureReport | undefined => {
  const lines = log.split("\n");
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index] ?? "";
    const start = line.indexOf('{"error_type"');
    if (start < 0) continue;
    try {
      const report = sparkFailureReportSchema.safeParse(JSON.parse(line.slice(start)));
      if (report.success) return report.data;
    } catch {
      // a clipped or foreign line: look further up
    }
  }
  return undefined;
};

/** The last line of a log that says something went wrong (not `INFO Closing down clientserver connection`). */
const lastProblem = (log: string): string => {
  const lines = log
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const problem = lines.findLast((line) => /\b(ERROR|FATAL|Error|Exception)\b/.test(line));
  return problem ?? lines.at(-1) ?? "";
};

const round = (seconds: number): number => Math.round(seconds * 100) / 100;

/**
 * One warm `python -m pipeline_spark.warm` process: a SparkSession that stays up across runs (the
 * local counterpart of EMR Serverless pre-initialized capacity). Requests are JSON lines on stdin,
 * answers JSON lines on stdout (docs/interfaces.md); one request at a time.
 */
class WarmProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<
    string,
    { resolve: (r: WarmResponse) => void; reject: (e: Error) => void }
  >();
  private exited: Error | undefined;
  readonly ready: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();
  private counter = 0;

  constructor(options: LocalSparkOptions, log: WriteStream) {
    this.child = spawn(options.python, ["-m", "pipeline_spark.warm"], {
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    recordProcess(options.processDirectory, this.child, "warm", null);
    this.child.stderr?.pipe(log, { end: false });
    let markReady: () => void = () => {};
    let failStart: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    const timer = setTimeout(
      () =>
        failStart(
          new SparkProcessError(`warm Spark process not ready after ${options.startTimeoutMs ?? 180_000} ms`),
        ),
      options.startTimeoutMs ?? 180_000,
    );
    const lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      let message: WarmResponse;
      try {
        message = JSON.parse(line) as WarmResponse;
      } catch {
        log.write(`[warm stdout] ${line}\n`);
        return;
      }
      if (message.ready) {
        clearTimeout(timer);
        markReady();
        return;
      }
      const waiter = message.id ? this.pending.get(message.id) : undefined;
      if (waiter && message.id) {
        this.pending.delete(message.id);
        waiter.resolve(message);
      }
    });
    this.child.on("error", (error) =>
      this.fail(new SparkProcessError(`cannot run ${options.python}: ${error.message}`, { cause: error })),
    );
    this.child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const error = new SparkProcessError(
        `warm Spark process exited (${signal ?? `code ${code}`}); its log is ${options.logFile}`,
      );
      this.fail(error);
      failStart(error);
    });
  }

  private fail(error: Error): void {
    this.exited ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Sends one manifest; requests queue behind each other (one Spark job at a time). */
  request(manifestUri: string): Promise<WarmResponse> {
    const next = this.queue.then(async () => {
      await this.ready;
      if (this.exited) throw this.exited;
      this.counter += 1;
      const id = `r${this.counter}`;
      const answer = new Promise<WarmResponse>((resolve, reject) =>
        this.pending.set(id, { resolve, reject }),
      );
      this.child.stdin?.write(`${JSON.stringify({ id, manifest_uri: manifestUri })}\n`);
      return answer;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill("SIGTERM"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.alive) this.child.kill("SIGKILL");
  }
}

/**
 * The Spark runner of the local stage. In `warm` mode it starts one Python process on first use
 * and reuses it for every run (Spark's JVM and session start once); if that process cannot start,
 * a run falls back to the cold path: `python spark/job.py --manifest <uri>`, one process per run.
 *
 * @example
 *   const spark = new LocalSparkRunner({ python: ".venv/bin/python", sparkSrc: "spark/src",
 *     jobScript: "spark/job.py", mode: "warm", logFile: ".local/local/logs/spark.log" });
 *   await spark.run({ runId, manifestUri }); // { mode: "warm", seconds: 0.9, … }
 */
export class LocalSparkRunner implements SparkRunner {
  private warm: WarmProcess | undefined;
  private readonly log: WriteStream;
  private jobs = 0;
  private readonly onExit = () => this.warm?.kill();

  constructor(private readonly options: LocalSparkOptions) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    this.log = createWriteStream(options.logFile, { flags: "a" });
    process.once("exit", this.onExit);
  }

  private env(): Record<string, string> {
    return {
      PYTHONPATH: this.options.sparkSrc,
      PYSPARK_PYTHON: this.options.python,
      PYSPARK_DRIVER_PYTHON: this.options.python,
      ...this.options.env,
    };
  }

  /** Starts the warm process now (instead of on the first run) and waits until it is ready. */
  async prewarm(): Promise<void> {
    if (this.options.mode !== "warm") return;
    await this.ensureWarm().ready;
  }

  private ensureWarm(): WarmProcess {
    if (!this.warm?.alive) {
      this.warm = new WarmProcess({ ...this.options, env: this.env() }, this.log);
      this.warm.ready.catch(() => undefined);
    }
    return this.warm;
  }

  async run(request: SparkJobRequest): Promise<SparkJobResult> {
    this.jobs += 1;
    const jobRunId = `local-${this.jobs.toString().padStart(4, "0")}-${request.runId}`.slice(0, 64);
    if (this.options.mode === "warm") {
      const warm = this.ensureWarm();
      let response: WarmResponse | undefined;
      try {
        response = await warm.request(request.manifestUri);
      } catch (error) {
        if (!(error instanceof SparkProcessError)) throw error;
        this.log.write(
          `[runner] warm process unavailable (${error.message}); running ${request.runId} cold\n`,
        );
      }
      if (response) {
        if (!response.ok) {
          const error = sparkFailure({ ...response, error_type: response.error_type || "Error" });
          // A warm process whose session is gone exits after answering; do not send it the next run.
          if (error instanceof SparkProcessError) {
            warm.kill();
            this.warm = undefined;
          }
          throw error;
        }
        return {
          runId: request.runId,
          jobRunId,
          state: "SUCCESS",
          mode: "warm",
          seconds: round(response.seconds ?? 0),
          ...(response.metrics_uri ? { metricsUri: response.metrics_uri } : {}),
        };
      }
    }
    return this.runCold(request, jobRunId);
  }

  private runCold(request: SparkJobRequest, jobRunId: string): Promise<SparkJobResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.python, [this.options.jobScript, "--manifest", request.manifestUri], {
        env: { ...process.env, ...this.env() },
        stdio: ["ignore", "pipe", "pipe"],
      });
      recordProcess(this.options.processDirectory, child, "cold", request.runId);
      let tail = "";
      child.stdout?.pipe(this.log, { end: false });
      child.stderr?.on("data", (chunk: Buffer) => {
        this.log.write(chunk);
        tail = (tail + chunk.toString()).slice(-20_000);
      });
      child.on("error", (error) =>
        reject(new SparkProcessError(`cannot run ${this.options.python}: ${error.message}`)),
      );
      child.on("exit", (code, signal) => {
        if (code === 0) {
          resolve({
            runId: request.runId,
            jobRunId,
            state: "SUCCESS",
            mode: "cold",
            seconds: round((performance.now() - started) / 1000),
          });
          return;
        }
        // The job logs `{"error_type": …, "exception": …, "message": …}` on stderr for any exception it raised;
        // a process that ended without one died (killed, out of memory, no JVM): a fresh one may pass.
        const reported = loggedReport(tail);
        reject(
          reported
            ? sparkFailure(reported)
            : new SparkProcessError(
                `spark job process ended (${signal ?? `code ${code}`}) without reporting an error: ${lastProblem(tail)}; its log is ${this.options.logFile}`,
              ),
        );
      });
    });
  }

  async close(): Promise<void> {
    process.removeListener("exit", this.onExit);
    await this.warm?.stop();
    this.warm = undefined;
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}
