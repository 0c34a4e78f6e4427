import { InvalidArgumentError, Option } from "commander";

/** The stages that are deployed to AWS; every other name is a local stage under `.local/<name>/`. */
export const CLOUD_STAGES = ["dev", "prod"] as const;

/** A stage name: the same rule the configuration applies (a lowercase letter, then letters, digits, `-`). */
const STAGE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** True for `dev` and `prod`, which the CLI reaches in AWS with the deployed stack's environment. */
export const isCloudStage = (stage: string): boolean => (CLOUD_STAGES as readonly string[]).includes(stage);

const stageName = (value: string): string => {
  if (!STAGE_NAME.test(value)) {
    throw new InvalidArgumentError(
      "a stage is a lowercase letter then up to 39 lowercase letters, digits or -, e.g. local, demo, try-retail",
    );
  }
  return value;
};

/**
 * The `--stage` option every command carries: `dev` or `prod` (AWS), or any other name for a local stage
 * kept under `.local/<name>/` (`local` unless said otherwise).
 *
 * @example
 *   program.command("runs").addOption(stageOption());        // --stage local by default
 *   program.command("demo").addOption(stageOption("demo"));  // the demo's own stage
 */
export const stageOption = (defaultStage = "local"): Option =>
  new Option("--stage <name>", "dev or prod (AWS), or the name of a local stage (.local/<name>/)")
    .argParser(stageName)
    .default(defaultStage);
