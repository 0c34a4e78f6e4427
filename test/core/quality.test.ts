import { describe, expect, it } from "vitest";
import type { CompiledRule, CompiledSource } from "../../src/contracts/index.js";
import { evaluateRun, evaluateSource, gateOf } from "../../src/core/quality.js";
import type { SourceMetrics } from "../../src/documents/metrics.js";
import { shippedBundle } from "../support/bundle.js";

const contractWith = (rules: CompiledRule[]): CompiledSource => ({
  source: "orders",
  description: null,
  formats: ["csv"],
  extensions: [".csv"],
  csv: null,
  null_values: [""],
  columns: [],
  event_time: "order_purchase_timestamp",
  batch_date: { from: "key", pattern: null },
  feeds: [{ entity: "orders", key: ["order_id"], filter: null, select: [] }],
  quality: rules,
});

const metrics = (rules: SourceMetrics["rules"], extra: Partial<SourceMetrics> = {}): SourceMetrics => ({
  files: [],
  rows_read: 120,
  rows_quarantined: 2,
  quarantined_by_reason: { invalid_type: 1, rule_violation: 1 },
  event_time: { min: "2017-01-05 00:03:10", max: "2017-01-05 23:59:01" },
  batch_dates: ["2017-01-05"],
  entities: {},
  rules,
  conservation: { holds: true },
  ...extra,
});

const ctx = { startedAt: "2017-01-06T02:00:00.000Z", history: [] as number[] };

describe("evaluateSource", () => {
  it("reports every rule with its observed value, threshold and status", () => {
    const rules: CompiledRule[] = [
      {
        rule: "accepted_values",
        column: "order_status",
        values: ["delivered"],
        severity: "error",
        name: "av",
        row_level: true,
      },
      {
        rule: "not_null",
        column: "order_approved_at",
        max_fraction: 0.05,
        severity: "warn",
        name: "nn",
        row_level: true,
      },
      {
        rule: "unique",
        entity: "orders",
        max_fraction: 0.05,
        severity: "warn",
        name: "uq",
        row_level: false,
      },
      { rule: "max_reject_rate", threshold: 0.05, severity: "error", name: "mrr", row_level: false },
      { rule: "row_count_min", min: 1, severity: "warn", name: "rcm", row_level: false },
      {
        rule: "freshness",
        max_age_hours: 96,
        reference: "batch_date",
        severity: "warn",
        name: "fr",
        row_level: false,
      },
    ];
    const result = evaluateSource(
      contractWith(rules),
      metrics({
        av: { rule: "accepted_values", severity: "error", evaluated: 119, failed: 1 },
        nn: { rule: "not_null", severity: "warn", evaluated: 118, failed: 3 },
        uq: { rule: "unique", severity: "warn", evaluated: 118, failed: 1 },
        mrr: { rule: "max_reject_rate", severity: "error", evaluated: 120, failed: 2 },
        rcm: { rule: "row_count_min", severity: "warn", evaluated: 117 },
        fr: { rule: "freshness", severity: "warn", max_event_time: "2017-01-05 23:59:01" },
      }),
      ctx,
    );
    const byName = Object.fromEntries(result.rules.map((r) => [r.name, r]));
    expect(byName.av).toMatchObject({ status: "quarantined", observed: 0.008403, threshold: 0, failed: 1 });
    expect(byName.nn).toMatchObject({ status: "pass", observed: 0.025424, threshold: 0.05 });
    expect(byName.uq).toMatchObject({ status: "pass", observed: 0.008475, threshold: 0.05 });
    expect(byName.mrr).toMatchObject({ status: "pass", observed: 0.016667, threshold: 0.05 });
    expect(byName.rcm).toMatchObject({ status: "pass", observed: 117, threshold: 1 });
    expect(byName.fr).toMatchObject({ status: "pass", observed: 0.02, threshold: 96 });
    expect(byName.conservation).toMatchObject({ status: "pass", severity: "error" });
    // Quarantined rows make the source a warning, not a failure.
    expect(result.verdict).toBe("warn");
  });

  it("fails the source when an error-severity batch rule breaches its threshold", () => {
    const rules: CompiledRule[] = [
      { rule: "max_reject_rate", threshold: 0.05, severity: "error", name: "mrr", row_level: false },
    ];
    const result = evaluateSource(
      contractWith(rules),
      metrics({ mrr: { rule: "max_reject_rate", severity: "error", evaluated: 100, failed: 6 } }),
      ctx,
    );
    expect(result.rules[0]).toMatchObject({ status: "fail", observed: 0.06, threshold: 0.05 });
    expect(result.verdict).toBe("fail");
  });

  it("warns, not fails, when a warn-severity rule breaches", () => {
    const rules: CompiledRule[] = [
      { rule: "not_null", column: "c", max_fraction: 0.01, severity: "warn", name: "nn", row_level: true },
    ];
    const result = evaluateSource(
      contractWith(rules),
      metrics({ nn: { rule: "not_null", severity: "warn", evaluated: 100, failed: 2 } }),
      ctx,
    );
    expect(result.rules[0]).toMatchObject({ status: "warn", observed: 0.02 });
    expect(result.verdict).toBe("warn");
  });

  it("judges row counts against the median of recent runs, once there is enough history", () => {
    const rules: CompiledRule[] = [
      {
        rule: "row_count_anomaly",
        lookback_runs: 3,
        max_deviation: 0.5,
        min_history: 3,
        severity: "warn",
        name: "rca",
        row_level: false,
      },
    ];
    const m = metrics({ rca: { rule: "row_count_anomaly", severity: "warn", evaluated: 300 } });
    const young = evaluateSource(contractWith(rules), m, { ...ctx, history: [100, 110] });
    expect(young.rules[0]).toMatchObject({ status: "skipped", observed: null });
    // Only the 3 most recent count: median(100, 120, 110) = 110; |300-110|/110 = 1.7273.
    const old = evaluateSource(contractWith(rules), m, { ...ctx, history: [100, 120, 110, 5000] });
    expect(old.rules[0]).toMatchObject({ status: "warn", observed: 1.7273, threshold: 0.5 });
    const normal = evaluateSource(
      contractWith(rules),
      metrics({ rca: { rule: "row_count_anomaly", severity: "warn", evaluated: 115 } }),
      { ...ctx, history: [100, 120, 110] },
    );
    expect(normal.rules[0]).toMatchObject({ status: "pass", observed: 0.0455 });
  });

  it("measures freshness in hours from the end of the batch date or from the run's start", () => {
    const rule = (reference: "batch_date" | "run_time"): CompiledRule[] => [
      { rule: "freshness", max_age_hours: 24, reference, severity: "warn", name: "fr", row_level: false },
    ];
    const m = metrics(
      { fr: { rule: "freshness", severity: "warn", max_event_time: "2017-01-03 12:00:00" } },
      { batch_dates: ["2017-01-05"] },
    );
    // End of 2017-01-05 is 2017-01-06 00:00; the newest event is 60 hours older.
    expect(evaluateSource(contractWith(rule("batch_date")), m, ctx).rules[0]).toMatchObject({
      status: "warn",
      observed: 60,
    });
    expect(evaluateSource(contractWith(rule("run_time")), m, ctx).rules[0]).toMatchObject({ observed: 62 });
  });

  it("fails a source whose conservation law does not hold", () => {
    const result = evaluateSource(contractWith([]), metrics({}, { conservation: { holds: false } }), ctx);
    expect(result.verdict).toBe("fail");
    expect(result.rules.find((r) => r.name === "conservation")).toMatchObject({ status: "fail" });
  });

  const file = (uri: string, extra: Partial<SourceMetrics["files"][number]> = {}) => ({
    uri,
    rows_read: 10,
    rows_quarantined: 0,
    missing_columns: [],
    unexpected_columns: [],
    ...extra,
  });

  it("fails a source with a file that could not be read, naming the file and why", () => {
    const readable = file("s3://raw/orders/dt=2017-01-05/a.csv");
    const files = [
      readable,
      file("s3://raw/orders/dt=2017-01-05/b.csv.gz", { rows_read: 0, error: "not a readable gzip file" }),
    ];
    const result = evaluateSource(contractWith([]), metrics({}, { files }), ctx);
    expect(result.verdict).toBe("fail");
    expect(result.rules.find((r) => r.name === "files_readable")).toMatchObject({
      severity: "error",
      status: "fail",
      evaluated: 2,
      failed: 1,
      detail:
        "1 of 2 files could not be read: s3://raw/orders/dt=2017-01-05/b.csv.gz: not a readable gzip file",
    });
    const clean = evaluateSource(contractWith([]), metrics({}, { files: [readable] }), ctx);
    expect(clean.rules.find((r) => r.name === "files_readable")).toMatchObject({ status: "pass" });
    expect(clean.verdict).toBe("pass");
  });

  it("warns about files whose header lacks contract columns or carries unknown ones", () => {
    const files = [
      file("s3://raw/orders/dt=2017-01-05/a.csv", { missing_columns: ["order_approved_at"] }),
      file("s3://raw/orders/dt=2017-01-05/b.csv", { unexpected_columns: ["coupon"] }),
      file("s3://raw/orders/dt=2017-01-05/c.csv"),
    ];
    const result = evaluateSource(contractWith([]), metrics({}, { files }), ctx);
    expect(result.verdict).toBe("warn");
    expect(result.rules.find((r) => r.name === "columns_match")).toMatchObject({
      severity: "warn",
      status: "warn",
      failed: 2,
      detail:
        "2 of 3 files differ from the contract's columns: s3://raw/orders/dt=2017-01-05/a.csv: missing order_approved_at; " +
        "s3://raw/orders/dt=2017-01-05/b.csv: unexpected coupon",
    });
  });
});

describe("evaluateRun and the gate", () => {
  it("holds back only the entities of failing sources", async () => {
    const bundle = await shippedBundle();
    const source = (rows: number, failed: number): SourceMetrics =>
      metrics(
        { max_reject_rate: { rule: "max_reject_rate", severity: "error", evaluated: rows, failed } },
        { rows_read: rows, rows_quarantined: failed, quarantined_by_reason: {} },
      );
    const report = evaluateRun({
      runId: "run-1",
      startedAt: ctx.startedAt,
      evaluatedAt: ctx.startedAt,
      bundle,
      metrics: {
        run_id: "run-1",
        sources: { orders: source(100, 1), payments: source(100, 40) },
        entities: {},
      },
      sources: ["orders", "payments"],
      history: {},
    });
    expect(report.sources.payments?.verdict).toBe("fail");
    expect(report.entities).toEqual({
      orders: { publishable: true, sources: ["orders"], held_by: [] },
      payments: { publishable: false, sources: ["payments"], held_by: ["payments"] },
    });
    const gate = gateOf(report, "file:///r.json");
    expect(gate).toMatchObject({
      verdict: "fail",
      has_failures: true,
      has_publishable: true,
      failing_sources: ["payments"],
      publishable_entities: ["orders"],
      held_entities: ["payments"],
    });
  });

  it("fails a source the metrics say nothing about", async () => {
    const bundle = await shippedBundle();
    const report = evaluateRun({
      runId: "run-1",
      startedAt: ctx.startedAt,
      evaluatedAt: ctx.startedAt,
      bundle,
      metrics: { run_id: "run-1", sources: {}, entities: {} },
      sources: ["sellers"],
      history: {},
    });
    expect(report.sources.sellers).toMatchObject({
      verdict: "fail",
      rules: [{ name: "metrics_present", status: "fail" }],
    });
    expect(gateOf(report, "x").has_publishable).toBe(false);
  });
});
