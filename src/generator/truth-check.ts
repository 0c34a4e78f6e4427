import type { StarSnapshot } from "../warehouse/star-snapshot.js";

/** The parts of the generator's expected truth that the star schema answers (docs/semantics.md). */
export interface ExpectedStar {
  readonly star: StarSnapshot["star"];
  readonly revenue_by_month: Record<string, string>;
  readonly revenue_by_category: Record<string, string>;
  readonly orders_by_status: Record<string, number>;
  readonly payments: StarSnapshot["payments"];
}

/** The expected values, cut to what the snapshot holds (truth.json carries more). */
export const expectedStarOf = (truth: ExpectedStar): StarSnapshot => ({
  star: truth.star,
  revenue_by_month: truth.revenue_by_month,
  revenue_by_category: truth.revenue_by_category,
  orders_by_status: truth.orders_by_status,
  payments: truth.payments,
});

const flatten = (value: unknown, path: string, out: Map<string, string>): void => {
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) flatten(inner, path ? `${path}.${key}` : key, out);
  } else out.set(path, JSON.stringify(value));
};

/**
 * Compares the star schema with the expected truth, value by value.
 *
 * @example
 *   const { matches, differences } = compareWithTruth(await starSnapshot(warehouse), truth);
 */
export const compareWithTruth = (
  snapshot: StarSnapshot,
  truth: ExpectedStar,
): { matches: boolean; differences: string[] } => {
  const expected = new Map<string, string>();
  const actual = new Map<string, string>();
  flatten(expectedStarOf(truth), "", expected);
  flatten(snapshot, "", actual);
  const differences: string[] = [];
  for (const key of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    if (expected.get(key) !== actual.get(key)) {
      differences.push(
        `${key}: expected ${expected.get(key) ?? "(none)"}, warehouse has ${actual.get(key) ?? "(none)"}`,
      );
    }
  }
  return { matches: differences.length === 0, differences };
};
