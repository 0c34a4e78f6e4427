/**
 * How the Spark job is submitted (EMR Serverless `sparkSubmit`). The state machine's Transform
 * task carries the same values with `${ArtifactsBucket}` filled at deploy time; a test keeps the
 * two equal.
 */
export const sparkEntryPoint = (artifactsBucket: string): string => `s3://${artifactsBucket}/spark/job.py`;

/**
 * Worker sizes equal to the application's pre-initialized capacity (infra/resources/spark.yml): a job that asks
 * for other sizes cannot use the warm workers and waits for new ones.
 */
const WORKER_SIZES =
  "--conf spark.driver.cores=2 --conf spark.driver.memory=3g " +
  "--conf spark.executor.cores=4 --conf spark.executor.memory=7g --conf spark.executor.instances=2";

export const sparkSubmitParameters = (artifactsBucket: string): string =>
  `--py-files s3://${artifactsBucket}/spark/pipeline_spark.zip --conf spark.sql.session.timeZone=UTC ${WORKER_SIZES}`;

/** The job's arguments for one run: the manifest is the whole contract between PlanBatch and Spark. */
export const sparkArguments = (manifestUri: string): string[] => ["--manifest", manifestUri];

/** Reads the manifest URI back from the job's arguments (what the local Transform override gets). */
export const manifestUriOf = (args: readonly unknown[]): string | undefined => {
  const index = args.indexOf("--manifest");
  const value = index >= 0 ? args[index + 1] : undefined;
  return typeof value === "string" ? value : undefined;
};
