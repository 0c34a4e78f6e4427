import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ContractError } from "../errors.js";
import type { ContractBundle } from "./types.js";

/** One feed filter or mapping expression Spark's analyser rejects, located in its contract file. */
export interface ExpressionProblem {
  readonly file: string;
  /** Path inside the contract: `feeds[0].filter`, `feeds[0].map.customer_id`. */
  readonly path: string;
  readonly expression: string;
  readonly message: string;
}

const checkerOutputSchema = z.object({
  problems: z.array(
    z.object({ source: z.string(), path: z.string(), expression: z.string(), message: z.string() }),
  ),
});

/** Where the Spark checker runs: the project's Python (with PySpark) and the job's package folder. */
export interface SparkCheckerOptions {
  readonly python: string;
  readonly sparkSrc: string;
}

const run = (options: SparkCheckerOptions, bundlePath: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(options.python, ["-m", "pipeline_spark.check_contracts", "--bundle", bundlePath], {
      env: { ...process.env, PYTHONPATH: options.sparkSrc, PYSPARK_PYTHON: options.python },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", (error) =>
      reject(
        new ContractError(bundlePath, "", `cannot run ${options.python}: ${error.message}`, { cause: error }),
      ),
    );
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else {
        const last = stderr.trim().split("\n").slice(-3).join(" | ");
        reject(
          new ContractError(bundlePath, "", `the Spark expression check failed (exit ${code}): ${last}`),
        );
      }
    });
  });

/**
 * Checks every feed filter and mapping expression of the bundle with Spark's own analyser (a short local
 * session: about 10 s), so an unknown column, function or a non-boolean filter is reported before any data
 * arrives, with the contract file and the path inside it.
 *
 * @example
 *   await checkFeedExpressions(bundle, { "orders": "contracts/orders.yaml" }, { python: ".venv/bin/python", sparkSrc: "spark/src" });
 *   // [{ file: "contracts/orders.yaml", path: "feeds[0].map.status", expression: "upper(order_state)", message: "..." }]
 */
export const checkFeedExpressions = async (
  bundle: ContractBundle,
  filesBySource: Readonly<Record<string, string>>,
  options: SparkCheckerOptions,
): Promise<ExpressionProblem[]> => {
  const folder = await mkdtemp(join(tmpdir(), "pipeline-contracts-"));
  try {
    const bundlePath = join(folder, "contracts.bundle.json");
    await writeFile(bundlePath, JSON.stringify(bundle));
    const output = await run(options, bundlePath);
    const lastLine = output.trim().split("\n").at(-1) ?? "";
    const parsed = checkerOutputSchema.parse(JSON.parse(lastLine));
    return parsed.problems.map((problem) => ({
      file: filesBySource[problem.source] ?? `(source ${problem.source})`,
      path: problem.path,
      expression: problem.expression,
      message: problem.message,
    }));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
};
