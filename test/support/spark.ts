import { join } from "node:path";
import { LocalSparkRunner } from "../../src/adapters/local/local-spark-runner.js";

/**
 * A warm Spark process on the project's own job (`spark/job.py`, the `.venv` PySpark), as the local stage
 * runs it: for tests that run the real Spark job.
 *
 * @example
 *   const spark = warmProjectSpark(join(await tempDir(), "spark.log"));
 */
export const warmProjectSpark = (logFile: string, projectRoot: string = process.cwd()): LocalSparkRunner =>
  new LocalSparkRunner({
    python: join(projectRoot, ".venv", "bin", "python"),
    sparkSrc: join(projectRoot, "spark", "src"),
    jobScript: join(projectRoot, "spark", "job.py"),
    mode: "warm",
    logFile,
  });
