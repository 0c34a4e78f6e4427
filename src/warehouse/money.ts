import { MONEY_SCALE } from "../contracts/entities.js";
import { ValidationError } from "../errors.js";

const UNIT = 10n ** BigInt(MONEY_SCALE);

/**
 * Decimal text ("12.30", "-0.5", "7", "0.0030") -> the amount in units of 10^-MONEY_SCALE, exactly; a value
 * with more decimals than money has (beyond trailing zeros) is refused, never rounded.
 *
 * @example
 *   moneyUnits("12.30") // 123000n (MONEY_SCALE 4)
 */
export const moneyUnits = (value: string): bigint => {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new ValidationError(`not a decimal: ${value}`);
  const [, sign, whole, fraction = ""] = match as unknown as [string, string, string, string?];
  if (fraction.slice(MONEY_SCALE).replace(/0/g, "") !== "") {
    throw new ValidationError(`more than ${MONEY_SCALE} decimals: ${value}`);
  }
  const amount = BigInt(whole) * UNIT + BigInt(fraction.padEnd(MONEY_SCALE, "0").slice(0, MONEY_SCALE));
  return sign === "-" ? -amount : amount;
};

/**
 * An amount in units of 10^-MONEY_SCALE as decimal text, exactly: at least two decimals, no trailing zeros
 * beyond them (the Spark job writes sums the same way, pipeline_spark.metrics.money_text).
 *
 * @example
 *   moneyText(123000n) // "12.30"
 *   moneyText(30n) // "0.003"
 */
export const moneyText = (units: bigint): string => {
  const sign = units < 0n ? "-" : "";
  const abs = units < 0n ? -units : units;
  const fraction = String(abs % UNIT)
    .padStart(MONEY_SCALE, "0")
    .replace(/0+$/, "")
    .padEnd(2, "0");
  return `${sign}${abs / UNIT}.${fraction}`;
};

/**
 * A decimal value as the canonical money text (`moneyText(moneyUnits(value))`); null and undefined are 0.
 *
 * @example
 *   normalizeMoney("24.6000") // "24.60"
 */
export const normalizeMoney = (value: string | number | null | undefined): string =>
  moneyText(value === null || value === undefined ? 0n : moneyUnits(String(value)));
