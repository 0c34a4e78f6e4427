import type { RunRecord } from "../../src/documents/run-record.js";

/**
 * A run record as RecordRun writes it, for tests: a partial run with a quality failure, 452 rows read
 * (= 440 curated + 7 quarantined + 3 exact duplicates + 2 superseded + 0 filtered); pass
 * `overrides` for what the test is about.
 */
export const runRecordFixture = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  run_id: "run-20170105-3f2a9c1e0b7d",
  status: "partial",
  started_at: "2026-11-21T19:47:00.000Z",
  recorded_at: "2026-11-21T19:49:12.345Z",
  trigger: "s3",
  files: 5,
  sources: ["orders", "payments"],
  quality_verdict: "fail",
  source_verdicts: { orders: "pass", payments: "fail" },
  rows: {
    read: 452,
    quarantined: 7,
    curated: 440,
    exact_duplicates: 3,
    superseded: 2,
    filtered: 0,
    quarantined_by_reason: { invalid_type: 7 },
    curated_by_entity: { orders: 101, payments: 102 },
    by_source: {},
  },
  steps: {
    transform: null,
    quality: null,
    quarantine: null,
    publish: null,
    load: null,
    merge: null,
    verify: null,
  },
  error: null,
  ...overrides,
});
