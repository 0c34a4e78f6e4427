import type { DayTruth } from "./day-truth.js";
import { TruthAccumulator } from "./truth-accumulator.js";
import type { RawFile } from "./write.js";

/**
 * The expected truth: what a correct pipeline makes of the generated files, computed with the
 * rules of docs/semantics.md from the rows the generator knows it wrote.
 */

export {
  type CuratedRow,
  curatedRecord,
  type DayTruth,
  type FileTruth,
  type GatedSource,
  type QuarantinedRow,
} from "./day-truth.js";
export { CUSTOMER_ATTRIBUTES, PRODUCT_ATTRIBUTES, type Truth } from "./truth-accumulator.js";

/**
 * Computes the expected truth of a generated dataset held in memory, assuming each day (`dt=`) is
 * one run; also returns each day's run (its curated and quarantined rows).
 *
 * @example
 *   const { truth, days } = computeTruth(files, thresholds);
 *   truth.revenue_by_month["2017-01"]; // "123456.78"
 */
export const computeTruth = (files: readonly RawFile[], thresholds: ReadonlyMap<string, number>) => {
  const byDay = new Map<number, RawFile[]>();
  for (const file of files) {
    const list = byDay.get(file.day);
    if (list) list.push(file);
    else byDay.set(file.day, [file]);
  }
  const accumulator = new TruthAccumulator(thresholds);
  const days: DayTruth[] = [...byDay.keys()]
    .sort((a, b) => a - b)
    .map((day) => accumulator.addDay(byDay.get(day) ?? []));
  return { truth: accumulator.finish(), days };
};
