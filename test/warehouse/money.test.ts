import { describe, expect, it } from "vitest";
import { MONEY_SCALE } from "../../src/contracts/entities.js";
import { reconcile } from "../../src/warehouse/checks.js";
import { moneyText, moneyUnits, normalizeMoney } from "../../src/warehouse/money.js";

describe("money text (4 decimals, exact)", () => {
  it("reads decimal text into units of 10^-4 and writes it back with at least two decimals", () => {
    expect(MONEY_SCALE).toBe(4);
    const cases: [string, bigint, string][] = [
      ["12.30", 123_000n, "12.30"],
      ["12.3000", 123_000n, "12.30"],
      ["0.001", 10n, "0.001"],
      ["0.0035", 35n, "0.0035"],
      ["7", 70_000n, "7.00"],
      ["-0.5", -5_000n, "-0.50"],
      ["99999999999999.9999", 999_999_999_999_999_999n, "99999999999999.9999"],
      ["100000000000000.0009", 1_000_000_000_000_000_009n, "100000000000000.0009"],
    ];
    for (const [text, units, canonical] of cases) {
      expect({ text, units: moneyUnits(text), canonical: moneyText(moneyUnits(text)) }).toEqual({
        text,
        units,
        canonical,
      });
    }
    expect(normalizeMoney(null)).toBe("0.00");
    expect(normalizeMoney("24.6000")).toBe("24.60");
  });

  it("refuses what is not a decimal, and a fifth decimal rather than rounding it", () => {
    expect(() => moneyUnits("0.00125")).toThrow(/more than 4 decimals: 0.00125/);
    expect(moneyUnits("0.00120000")).toBe(12n);
    expect(() => moneyUnits("1e3")).toThrow(/not a decimal/);
  });

  it("reconciles sums below a cent exactly: 0.003 loaded is 0.0030 curated, 0.004 is not", () => {
    const loaded = [
      { entity_name: "order_items", rows_loaded: 3, unit_price_sum: "0.0030", freight_value_sum: "0.0000" },
    ];
    const want = (unitPrice: string) => ({
      entities: { order_items: { rows_curated: 3, sums: { unit_price: unitPrice, freight_value: "0.00" } } },
    });
    expect(
      reconcile(loaded, want("0.003")).map((r) => [r.subject, r.status, r.observed, r.expected]),
    ).toEqual([
      ["order_items.rows", "pass", "3", "3"],
      ["order_items.sum(unit_price)", "pass", "0.003", "0.003"],
      ["order_items.sum(freight_value)", "pass", "0.00", "0.00"],
    ]);
    expect(reconcile(loaded, want("0.004"))[1]).toMatchObject({
      status: "fail",
      observed: "0.003",
      expected: "0.004",
    });
  });
});
