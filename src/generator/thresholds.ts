import { loadContractBundleSync } from "../contracts/index.js";

/** source -> the `max_reject_rate` threshold of its error-severity rule, from the contracts. */
export const rejectThresholds = (contractsDir: string): ReadonlyMap<string, number> => {
  const thresholds = new Map<string, number>();
  for (const [source, compiled] of Object.entries(loadContractBundleSync(contractsDir).sources)) {
    for (const rule of compiled.quality) {
      if (rule.rule === "max_reject_rate" && rule.severity === "error")
        thresholds.set(source, rule.threshold);
    }
  }
  return thresholds;
};
