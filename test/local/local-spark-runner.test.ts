import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalSparkRunner } from "../../src/adapters/local/local-spark-runner.js";
import { SparkProcessError } from "../../src/core/errors.js";
import { useTempDir } from "../support/temp.js";

const tempDir = useTempDir();
const PYTHON = process.env.PIPELINE_TEST_PYTHON ?? "python3";

/**
 * Stand-ins for the Spark job that speak its documented protocols (docs/interfaces.md) without a
 * JVM: the warm module answers JSON lines and reports its pid; the cold script fails like the job.
 */
const fakeSpark = async (root: string, options: { warmFailsToStart?: boolean } = {}) => {
  const src = join(root, "src", "pipeline_spark");
  await mkdir(src, { recursive: true });
  await writeFile(join(src, "__init__.py"), "");
  await writeFile(
    join(src, "warm.py"),
    options.warmFailsToStart
      ? "import sys\nsys.stderr.write('no java\\n')\nsys.exit(3)\n"
      : [
          "import json, os, sys",
          "print(json.dumps({'ready': True}), flush=True)",
          "for line in sys.stdin:",
          "    request = json.loads(line)",
          "    uri = request['manifest_uri']",
          "    if 'bad' in uri:",
          "        print(json.dumps({'id': request['id'], 'ok': False, 'error_type': 'ConservationError', 'message': 'rows differ'}), flush=True)",
          "    elif 'jvm' in uri:",
          "        print(json.dumps({'id': request['id'], 'ok': False, 'error_type': 'ParseException', 'exception': 'org.apache.spark.sql.catalyst.parser.ParseException', 'message': \"[PARSE_SYNTAX_ERROR] Syntax error at or near ')'.\", 'retryable': False}), flush=True)",
          "    elif 'gone' in uri:",
          "        print(json.dumps({'id': request['id'], 'ok': False, 'error_type': 'Py4JNetworkError', 'exception': 'Py4JNetworkError', 'message': 'Answer from Java side is empty', 'retryable': True}), flush=True)",
          "        sys.exit(0)",
          "    elif 'die' in uri:",
          "        os._exit(9)",
          "    else:",
          "        print(json.dumps({'id': request['id'], 'ok': True, 'metrics_uri': uri + '#' + str(os.getpid()), 'seconds': 0.25}), flush=True)",
        ].join("\n"),
  );
  const job = join(root, "job.py");
  await writeFile(
    job,
    [
      "import json, sys",
      "uri = sys.argv[2]",
      "open(uri.replace('file://', '') + '.cold', 'w').write('ran')",
      "if 'bad' in uri:",
      "    report = {'error_type': 'AnalysisException', 'exception': 'org.apache.spark.sql.AnalysisException', 'message': 'no such \"column\"', 'retryable': False}",
      "    sys.stderr.write('INFO starting\\n26/01/01 10:00:00 ERROR ' + json.dumps(report) + '\\nINFO Closing down clientserver connection\\n')",
      "    sys.exit(1)",
      "if 'killed' in uri:",
      "    sys.stderr.write('INFO starting\\nERROR SparkContext: Error initializing SparkContext.\\nINFO Closing down clientserver connection\\n')",
      "    sys.exit(1)",
    ].join("\n"),
  );
  return { sparkSrc: join(root, "src"), jobScript: job };
};

/** A runner over the fake Spark package in `root`, logging to `root/spark.log`. */
const runnerIn = async (
  root: string,
  mode: "warm" | "cold",
  options: { warmFailsToStart?: boolean } = {},
): Promise<LocalSparkRunner> =>
  new LocalSparkRunner({
    python: PYTHON,
    ...(await fakeSpark(root, options)),
    mode,
    logFile: join(root, "spark.log"),
  });

describe("LocalSparkRunner", () => {
  it("keeps one warm process across runs", async () => {
    const root = await tempDir();
    const runner = await runnerIn(root, "warm");
    try {
      const first = await runner.run({ runId: "run-1", manifestUri: "file:///m/run-1.json" });
      const second = await runner.run({ runId: "run-2", manifestUri: "file:///m/run-2.json" });
      expect(first).toMatchObject({ mode: "warm", state: "SUCCESS", seconds: 0.25 });
      const pid = (result: typeof first) => result.metricsUri?.split("#")[1];
      expect(pid(first)).toBeDefined();
      expect(pid(second)).toBe(pid(first));
    } finally {
      await runner.close();
    }
  });

  it("reports a job error with its type, and keeps the process for the next run", async () => {
    const root = await tempDir();
    const runner = await runnerIn(root, "warm");
    try {
      const first = await runner.run({ runId: "run-0", manifestUri: "file:///m/ok.json" });
      await expect(runner.run({ runId: "run-1", manifestUri: "file:///m/bad.json" })).rejects.toMatchObject({
        name: "Spark.DataError",
        errorType: "ConservationError",
        message: "ConservationError: rows differ",
      });
      await expect(runner.run({ runId: "run-2", manifestUri: "file:///m/jvm.json" })).rejects.toMatchObject({
        name: "Spark.AnalysisError",
        errorType: "ParseException",
        message:
          "org.apache.spark.sql.catalyst.parser.ParseException: [PARSE_SYNTAX_ERROR] Syntax error at or near ')'.",
      });
      const next = await runner.run({ runId: "run-3", manifestUri: "file:///m/ok.json" });
      const pid = (result: typeof first) => result.metricsUri?.split("#")[1];
      expect(next.mode).toBe("warm");
      expect(pid(next)).toBe(pid(first));
    } finally {
      await runner.close();
    }
  });

  it("reports a lost Spark session as transient and starts a new warm process for the next run", async () => {
    const root = await tempDir();
    const runner = await runnerIn(root, "warm");
    try {
      const first = await runner.run({ runId: "run-1", manifestUri: "file:///m/ok.json" });
      const gone = runner.run({ runId: "run-2", manifestUri: "file:///m/gone.json" });
      await expect(gone).rejects.toBeInstanceOf(SparkProcessError);
      await expect(gone).rejects.toMatchObject({
        name: "Spark.ProcessDied",
        message: "Py4JNetworkError: Answer from Java side is empty",
      });
      const next = await runner.run({ runId: "run-3", manifestUri: "file:///m/ok.json" });
      expect(next.mode).toBe("warm");
      const pid = (result: typeof first) => result.metricsUri?.split("#")[1];
      expect(pid(next)).not.toBe(pid(first));
    } finally {
      await runner.close();
    }
  });

  it("runs cold when the warm process cannot start, and when it dies", async () => {
    const root = await tempDir();
    const broken = await runnerIn(root, "warm", { warmFailsToStart: true });
    try {
      const result = await broken.run({ runId: "run-1", manifestUri: `file://${root}/ok` });
      expect(result.mode).toBe("cold");
      expect(await readFile(join(root, "ok.cold"), "utf8")).toBe("ran");
    } finally {
      await broken.close();
    }
    const root2 = await tempDir();
    const dying = await runnerIn(root2, "warm");
    try {
      expect((await dying.run({ runId: "run-1", manifestUri: `file://${root2}/die` })).mode).toBe("cold");
      // The next run starts a new warm process.
      expect((await dying.run({ runId: "run-2", manifestUri: `file://${root2}/ok` })).mode).toBe("warm");
    } finally {
      await dying.close();
    }
    expect(await readFile(join(root2, "spark.log"), "utf8")).toMatch(/warm process unavailable/);
  });

  it("reads the cold job's error from its log, not the last log line", async () => {
    const root = await tempDir();
    const runner = await runnerIn(root, "cold");
    try {
      await expect(runner.run({ runId: "run-1", manifestUri: `file://${root}/bad` })).rejects.toMatchObject({
        name: "Spark.AnalysisError",
        errorType: "AnalysisException",
        message: 'org.apache.spark.sql.AnalysisException: no such "column"',
      });
      // A process that ended without reporting an error died: transient, named by its last problem line.
      const killed = runner.run({ runId: "run-2", manifestUri: `file://${root}/killed` });
      await expect(killed).rejects.toBeInstanceOf(SparkProcessError);
      await expect(killed).rejects.toMatchObject({ name: "Spark.ProcessDied" });
      await expect(killed).rejects.toThrow(/ERROR SparkContext: Error initializing SparkContext\./);
      await expect(killed).rejects.not.toThrow(/Closing down/);
    } finally {
      await runner.close();
    }
  });
});
