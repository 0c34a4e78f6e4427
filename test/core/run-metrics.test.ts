import { describe, expect, it } from "vitest";
import { runMetricValues } from "../../src/core/run-metrics.js";
import { runRecordFixture } from "../support/run-record.js";

describe("a run's metric values (the dashboard's rows per step and load wait)", () => {
  it("sends rows read, curated (source rows), quarantined, loaded, merged and the seconds waited for auto-copy", () => {
    const record = runRecordFixture({
      steps: {
        transform: null,
        quality: null,
        quarantine: null,
        publish: { files: 4 },
        // Five polls: four waits of 1, 2, 4 and then 8 capped at 5 seconds.
        load: { attempt: 5, done: true, rows_loaded: 203 },
        merge: { rows_by_entity: { orders: 101, payments: 102 } },
        verify: null,
      },
    });
    expect(runMetricValues(record, 5)).toEqual([
      { name: "RowsRead", unit: "Count", value: 452 },
      { name: "RowsCurated", unit: "Count", value: 440 },
      { name: "RowsQuarantined", unit: "Count", value: 7 },
      { name: "RowsLoaded", unit: "Count", value: 203 },
      { name: "LoadWaitSeconds", unit: "Seconds", value: 12 },
      { name: "RowsMerged", unit: "Count", value: 203 },
    ]);
  });

  it("leaves out what the run never reached instead of sending zeros", () => {
    const failed = runRecordFixture({
      status: "failed",
      rows: {
        read: null,
        quarantined: null,
        quarantined_by_reason: {},
        curated_by_entity: {},
        by_source: {},
      },
    });
    expect(runMetricValues(failed, 30)).toEqual([]);
  });
});
