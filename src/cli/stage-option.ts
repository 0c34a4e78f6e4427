import { Option } from "commander";

export const STAGES = ["local", "dev", "prod"] as const;
export type Stage = (typeof STAGES)[number];

/** The `--stage` option every command carries. */
export const stageOption = (): Option =>
  new Option("--stage <stage>", "deployment stage").choices(STAGES).default("local");
