import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FloorResult, runFloor, strptimeFormat, writeDatasetFiles } from "../../bench/pipeline/floor.js";
import { type GeneratedDataset, generateDataset } from "../../src/generator/index.js";
import { compareWithTruth } from "../../src/generator/truth-check.js";
import { shippedBundle } from "../support/bundle.js";

/** The single-engine floor of `make bench-pipeline` does the pipeline's work: checked against the generator's truth. */
describe("bench floor (one DuckDB over the raw files)", () => {
  let dataset: GeneratedDataset;
  let result: FloorResult;
  let scratch: string;

  beforeAll(async () => {
    dataset = generateDataset({ orders: 1500, days: 4, seed: 1, expectedRows: false });
    scratch = await mkdtemp(join(tmpdir(), "floor-test-"));
    await writeDatasetFiles(dataset.files, join(scratch, "raw"));
    // The truth assumes one run per day, so the quality gate is applied per source and day here.
    result = await runFloor({ rawDir: join(scratch, "raw"), bundle: await shippedBundle(), gateBy: "day" });
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("reads every record of every file and rejects the rows the truth quarantines, per file and reason", () => {
    expect(result.input.files).toBe(dataset.truth.totals.files);
    expect(result.input.rows_read).toBe(dataset.truth.totals.rows_read);
    const expected = Object.fromEntries(
      Object.entries(dataset.truth.files).map(([key, file]) => [
        key,
        { rows_read: file.rows_read, rejected: file.quarantined },
      ]),
    );
    expect(result.files).toEqual(expected);
    expect(Object.values(result.sources).some((s) => Object.keys(s.rejected).length > 0)).toBe(true);
  });

  it("builds the star the truth expects: SCD2 versions, facts, unknown members, revenue, payments", () => {
    const check = compareWithTruth(result.snapshot, dataset.truth);
    expect(check.differences).toEqual([]);
    expect(result.star.dim_customer?.keys).toBe(dataset.truth.scd2.dim_customer.keys);
    expect(result.star.dim_product?.keys).toBe(dataset.truth.scd2.dim_product.keys);
    expect(result.entities.orders?.rows_out).toBe(dataset.truth.entities.orders);
    expect(result.entities.order_items?.duplicates).toBeGreaterThan(0);
  });

  it("translates Spark datetime patterns to strptime formats", () => {
    expect(strptimeFormat("yyyy-MM-dd HH:mm:ss")).toBe("%Y-%m-%d %H:%M:%S");
    expect(strptimeFormat("dd/MM/yyyy'T'HH:mm")).toBe("%d/%m/%YT%H:%M");
  });
});
