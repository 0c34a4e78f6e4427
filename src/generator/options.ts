import { z } from "zod";
import { ValidationError } from "../errors.js";

/** Defect and quirk rates: each is the probability per eligible row. */
export const defectRatesSchema = z.strictObject({
  /** A row written twice in the same file. */
  exactDuplicate: z.number().min(0).max(1).default(0.01),
  /** The same key twice in one file, the later line correcting the earlier (superseded). */
  correctedRow: z.number().min(0).max(1).default(0.004),
  /** A row replaced by a malformed one (bad date, non-numeric number, wrong column count, missing key, bad enum). */
  malformed: z.number().min(0).max(1).default(0.01),
  /** Rows that arrive after the rows that reference them (items before their order, orders before their customer). */
  late: z.number().min(0).max(1).default(0.03),
  /** Customers who move (a new version of the person) and products that change category or weight. */
  customerMove: z.number().min(0).max(1).default(0.05),
  productChange: z.number().min(0).max(1).default(0.08),
  /** Items whose product never arrives, orders whose customer never arrives. */
  orphan: z.number().min(0).max(1).default(0.005),
  /** String values quoted although they need no quotes. */
  optionalQuote: z.number().min(0).max(1).default(0.1),
});
export type DefectRates = z.output<typeof defectRatesSchema>;

export const generatorOptionsSchema = z.strictObject({
  seed: z.number().int().min(0).default(42),
  orders: z.number().int().min(1).default(1000),
  days: z.number().int().min(1).max(3650).default(14),
  startDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .default("2017-01-02"),
  rates: defectRatesSchema.default(defectRatesSchema.parse({})),
  /**
   * Contracts folder whose `max_reject_rate` rules (severity error) gate each source of each day's run: a
   * gated source-day never reaches the warehouse, and the truth says so.
   */
  contracts: z.string().min(1).default("contracts"),
  /** Also write expected/curated and expected/quarantine (the exact rows of each day's run). */
  expectedRows: z.boolean().default(true),
});
export type GeneratorOptions = z.output<typeof generatorOptionsSchema>;
export type GeneratorOptionsInput = z.input<typeof generatorOptionsSchema>;

/** Validates generator options, failing with the offending path. */
export const parseGeneratorOptions = (input: GeneratorOptionsInput): GeneratorOptions => {
  const parsed = generatorOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `generator option ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
};
