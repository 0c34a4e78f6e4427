import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalSparkRunner } from "../../src/adapters/local/local-spark-runner.js";
import { SparkJobError } from "../../src/core/errors.js";
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
      "    sys.stderr.write('INFO starting\\n' + json.dumps({'error_type': 'InputError', 'message': 'no such \"file\"'}) + '\\n')",
      "    sys.exit(1)",
    ].join("\n"),
  );
  return { sparkSrc: join(root, "src"), jobScript: job };
};

describe("LocalSparkRunner", () => {
  it("keeps one warm process across runs", async () => {
    const root = await tempDir();
    const runner = new LocalSparkRunner({
      python: PYTHON,
      ...(await fakeSpark(root)),
      mode: "warm",
      logFile: join(root, "spark.log"),
    });
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
    const runner = new LocalSparkRunner({
      python: PYTHON,
      ...(await fakeSpark(root)),
      mode: "warm",
      logFile: join(root, "spark.log"),
    });
    try {
      await expect(runner.run({ runId: "run-1", manifestUri: "file:///m/bad.json" })).rejects.toThrow(
        new SparkJobError("ConservationError: rows differ", "ConservationError"),
      );
      expect((await runner.run({ runId: "run-2", manifestUri: "file:///m/ok.json" })).mode).toBe("warm");
    } finally {
      await runner.close();
    }
  });

  it("runs cold when the warm process cannot start, and when it dies", async () => {
    const root = await tempDir();
    const broken = new LocalSparkRunner({
      python: PYTHON,
      ...(await fakeSpark(root, { warmFailsToStart: true })),
      mode: "warm",
      logFile: join(root, "spark.log"),
    });
    try {
      const result = await broken.run({ runId: "run-1", manifestUri: `file://${root}/ok` });
      expect(result.mode).toBe("cold");
      expect(await readFile(join(root, "ok.cold"), "utf8")).toBe("ran");
    } finally {
      await broken.close();
    }
    const root2 = await tempDir();
    const dying = new LocalSparkRunner({
      python: PYTHON,
      ...(await fakeSpark(root2)),
      mode: "warm",
      logFile: join(root2, "spark.log"),
    });
    try {
      expect((await dying.run({ runId: "run-1", manifestUri: `file://${root2}/die` })).mode).toBe("cold");
      // The next run starts a new warm process.
      expect((await dying.run({ runId: "run-2", manifestUri: `file://${root2}/ok` })).mode).toBe("warm");
    } finally {
      await dying.close();
    }
    expect(await readFile(join(root2, "spark.log"), "utf8")).toMatch(/warm process unavailable/);
  });

  it("reads the cold job's error type from its log", async () => {
    const root = await tempDir();
    const runner = new LocalSparkRunner({
      python: PYTHON,
      ...(await fakeSpark(root)),
      mode: "cold",
      logFile: join(root, "spark.log"),
    });
    try {
      await expect(runner.run({ runId: "run-1", manifestUri: `file://${root}/bad` })).rejects.toMatchObject({
        name: "SparkJobError",
        errorType: "InputError",
        message: 'InputError: no such "file"',
      });
    } finally {
      await runner.close();
    }
  });
});
