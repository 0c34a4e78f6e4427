import type { CompiledRule, CompiledSource, ContractBundle } from "../contracts/index.js";
import type { Metrics, SourceMetrics } from "../documents/metrics.js";

/**
 * Data-quality evaluation (ARCHITECTURE section 7). Spark computes the metrics while it transforms;
 * this module only decides, rule by rule, from those numbers. Pure: no I/O.
 *
 * Rule statuses:
 * - `pass`: within its threshold.
 * - `warn` / `fail`: outside its threshold; which one is the rule's severity.
 * - `quarantined`: a row-level rule of severity `error` whose failing rows went to quarantine; it
 *   fails the batch only through `max_reject_rate` (the rows are gone, the batch is not).
 * - `skipped`: nothing to decide on (no history yet, no event time), with the reason.
 */
export type RuleStatus = "pass" | "warn" | "fail" | "quarantined" | "skipped";
export type Verdict = "pass" | "warn" | "fail";

export interface RuleResult {
  readonly name: string;
  readonly rule: string;
  readonly severity: "warn" | "error";
  /** The measured value the rule is decided on (a fraction, a row count, hours, a deviation). */
  readonly observed: number | null;
  readonly threshold: number | null;
  readonly status: RuleStatus;
  readonly detail: string;
  readonly evaluated?: number;
  readonly failed?: number;
}

export interface SourceQuality {
  readonly source: string;
  readonly verdict: Verdict;
  readonly rows_read: number;
  readonly rows_quarantined: number;
  readonly quarantined_by_reason: Record<string, number>;
  readonly rules: readonly RuleResult[];
}

export interface EntityGate {
  readonly publishable: boolean;
  readonly sources: readonly string[];
  /** Failing sources that hold the entity back (its curated files mix their rows). */
  readonly held_by: readonly string[];
}

export interface QualityReport {
  readonly run_id: string;
  readonly evaluated_at: string;
  readonly bundle_checksum: string;
  readonly verdict: Verdict;
  readonly sources: Record<string, SourceQuality>;
  readonly entities: Record<string, EntityGate>;
}

/** Row counts of earlier runs of one source, most recent first. */
export type RowCountHistory = Readonly<Record<string, readonly number[]>>;

const round = (value: number, digits = 6): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

const fraction = (failed: number, evaluated: number): number =>
  evaluated > 0 ? round(failed / evaluated) : 0;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] as number;
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** `2017-01-05 23:59:01` (naive UTC, as Spark writes it) or ISO -> epoch ms. */
const parseUtc = (text: string): number => {
  const iso = text.includes("T") ? text : text.replace(" ", "T");
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
};

const breach = (rule: CompiledRule): RuleStatus => (rule.severity === "error" ? "fail" : "warn");

interface EvaluationContext {
  readonly startedAt: string;
  readonly history: readonly number[];
}

const evaluateRule = (rule: CompiledRule, source: SourceMetrics, context: EvaluationContext): RuleResult => {
  const base = { name: rule.name, rule: rule.rule, severity: rule.severity };
  const metric = source.rules[rule.name];
  if (!metric) {
    return {
      ...base,
      observed: null,
      threshold: null,
      status: "skipped",
      detail: "the Spark metrics carry no value for this rule",
    };
  }
  const evaluated = metric.evaluated ?? 0;
  const failed = metric.failed ?? 0;
  const counts = { evaluated, failed };
  switch (rule.rule) {
    case "not_null":
    case "accepted_values":
    case "range":
    case "regex": {
      const observed = fraction(failed, evaluated);
      const threshold = rule.rule === "not_null" ? rule.max_fraction : 0;
      if (rule.severity === "error") {
        return {
          ...base,
          ...counts,
          observed,
          threshold,
          status: failed > 0 ? "quarantined" : "pass",
          detail:
            failed > 0
              ? `${failed} of ${evaluated} rows failed and were quarantined (rule_violation)`
              : `all ${evaluated} rows pass`,
        };
      }
      const status = observed > threshold ? "warn" : "pass";
      return {
        ...base,
        ...counts,
        observed,
        threshold,
        status,
        detail: `${failed} of ${evaluated} rows fail (${observed} ${status === "pass" ? "<=" : ">"} ${threshold})`,
      };
    }
    case "unique": {
      const observed = fraction(failed, evaluated);
      const status = observed > rule.max_fraction ? breach(rule) : "pass";
      return {
        ...base,
        ...counts,
        observed,
        threshold: rule.max_fraction,
        status,
        detail: `${failed} duplicate or superseded of ${evaluated} rows fed to ${rule.entity}`,
      };
    }
    case "max_reject_rate": {
      const observed = fraction(failed, evaluated);
      const status = observed > rule.threshold ? breach(rule) : "pass";
      return {
        ...base,
        ...counts,
        observed,
        threshold: rule.threshold,
        status,
        detail: `${failed} of ${evaluated} rows quarantined (${observed} ${status === "pass" ? "<=" : ">"} ${rule.threshold})`,
      };
    }
    case "row_count_min": {
      const status = evaluated < rule.min ? breach(rule) : "pass";
      return {
        ...base,
        evaluated,
        observed: evaluated,
        threshold: rule.min,
        status,
        detail: `${evaluated} rows, minimum ${rule.min}`,
      };
    }
    case "row_count_anomaly": {
      const history = context.history.slice(0, rule.lookback_runs);
      if (history.length < rule.min_history) {
        return {
          ...base,
          evaluated,
          observed: null,
          threshold: rule.max_deviation,
          status: "skipped",
          detail: `needs ${rule.min_history} earlier runs of this source, has ${history.length}`,
        };
      }
      const baseline = median(history);
      const deviation =
        baseline === 0
          ? evaluated === 0
            ? 0
            : Number.POSITIVE_INFINITY
          : round(Math.abs(evaluated - baseline) / baseline, 4);
      const status = deviation > rule.max_deviation ? breach(rule) : "pass";
      return {
        ...base,
        evaluated,
        observed: Number.isFinite(deviation) ? deviation : null,
        threshold: rule.max_deviation,
        status,
        detail: `${evaluated} rows vs median ${baseline} of the last ${history.length} runs: deviation ${Number.isFinite(deviation) ? deviation : "infinite"}`,
      };
    }
    case "freshness": {
      const maxEventTime = metric.max_event_time ?? source.event_time?.max ?? null;
      if (!maxEventTime) {
        return {
          ...base,
          observed: null,
          threshold: rule.max_age_hours,
          status: "skipped",
          detail: "no event time in this batch",
        };
      }
      let reference: number;
      if (rule.reference === "run_time") reference = Date.parse(context.startedAt);
      else {
        const latest = [...source.batch_dates].sort().at(-1);
        if (!latest) {
          return {
            ...base,
            observed: null,
            threshold: rule.max_age_hours,
            status: "skipped",
            detail: "reference is batch_date but the batch's keys carry no dt= date",
          };
        }
        reference = parseUtc(`${latest} 00:00:00`) + 24 * 3_600_000;
      }
      const observed = round((reference - parseUtc(maxEventTime)) / 3_600_000, 2);
      const status = observed > rule.max_age_hours ? breach(rule) : "pass";
      return {
        ...base,
        observed,
        threshold: rule.max_age_hours,
        status,
        detail: `newest event ${maxEventTime} is ${observed} h old at the ${rule.reference === "run_time" ? "run's start" : "end of the batch date"}`,
      };
    }
  }
};

const verdictOf = (results: readonly RuleResult[]): Verdict => {
  if (results.some((result) => result.status === "fail")) return "fail";
  if (results.some((result) => result.status === "warn" || result.status === "quarantined")) return "warn";
  return "pass";
};

const listed = (items: readonly string[], limit = 3): string =>
  items.length > limit
    ? `${items.slice(0, limit).join("; ")}; and ${items.length - limit} more`
    : items.join("; ");

/**
 * A file the job could not read at all (corrupt gzip, unsupported type, unreadable parquet) has
 * no rows to quarantine: its rows would be missing while the run looks green. It fails the source.
 */
const filesReadable = (metrics: SourceMetrics): RuleResult => {
  const broken = metrics.files.filter((file) => file.error);
  return {
    name: "files_readable",
    rule: "files_readable",
    severity: "error",
    observed: broken.length,
    threshold: 0,
    evaluated: metrics.files.length,
    failed: broken.length,
    status: broken.length > 0 ? "fail" : "pass",
    detail:
      broken.length > 0
        ? `${broken.length} of ${metrics.files.length} files could not be read: ${listed(broken.map((file) => `${file.uri}: ${file.error}`))}`
        : `all ${metrics.files.length} files were read`,
  };
};

/**
 * A header that lacks contract columns (their values arrive as null) or carries columns the contract
 * does not know is schema drift at the producer: worth a warning before it becomes a failure.
 */
const columnsMatch = (metrics: SourceMetrics): RuleResult => {
  const drifted = metrics.files.filter(
    (file) => file.missing_columns.length > 0 || file.unexpected_columns.length > 0,
  );
  const describe = drifted.map((file) => {
    const parts = [
      file.missing_columns.length > 0 ? `missing ${file.missing_columns.join(", ")}` : "",
      file.unexpected_columns.length > 0 ? `unexpected ${file.unexpected_columns.join(", ")}` : "",
    ].filter(Boolean);
    return `${file.uri}: ${parts.join("; ")}`;
  });
  return {
    name: "columns_match",
    rule: "columns_match",
    severity: "warn",
    observed: drifted.length,
    threshold: 0,
    evaluated: metrics.files.length,
    failed: drifted.length,
    status: drifted.length > 0 ? "warn" : "pass",
    detail:
      drifted.length > 0
        ? `${drifted.length} of ${metrics.files.length} files differ from the contract's columns: ${listed(describe)}`
        : "every file has exactly the contract's columns",
  };
};

/**
 * Evaluates one source's rules on its metrics. A broken conservation law (rows read = curated +
 * quarantined + duplicates) fails the source whatever the contract says.
 *
 * @example
 *   const quality = evaluateSource(bundle.sources.orders, metrics.sources.orders, {
 *     startedAt: "2026-11-21T19:47:00.000Z", history: [118, 120, 125],
 *   });
 *   quality.verdict; // "warn"
 */
export const evaluateSource = (
  contract: CompiledSource,
  metrics: SourceMetrics,
  context: EvaluationContext,
): SourceQuality => {
  const rules = contract.quality.map((rule) => evaluateRule(rule, metrics, context));
  const holds = metrics.conservation?.holds;
  rules.push({
    name: "conservation",
    rule: "conservation",
    severity: "error",
    observed: null,
    threshold: null,
    status: holds === false ? "fail" : holds === true ? "pass" : "skipped",
    detail:
      holds === false
        ? "rows read != curated + quarantined + duplicates for at least one file"
        : holds === true
          ? "rows read = curated + quarantined + duplicates"
          : "the metrics do not say",
  });
  rules.push(filesReadable(metrics), columnsMatch(metrics));
  return {
    source: contract.source,
    verdict: verdictOf(rules),
    rows_read: metrics.rows_read,
    rows_quarantined: metrics.rows_quarantined,
    quarantined_by_reason: { ...metrics.quarantined_by_reason },
    rules,
  };
};

/**
 * Evaluates every source of a run and decides which entities may be published: an entity is held
 * back when any source of this run that feeds it failed.
 *
 * @example
 *   const report = evaluateRun({ runId, startedAt, bundle, metrics, sources: ["orders"], history });
 *   report.entities.orders.publishable; // true unless orders failed
 */
export const evaluateRun = (options: {
  readonly runId: string;
  readonly startedAt: string;
  readonly evaluatedAt: string;
  readonly bundle: ContractBundle;
  readonly metrics: Metrics;
  /** The sources the manifest sent to Spark. */
  readonly sources: readonly string[];
  readonly history: RowCountHistory;
}): QualityReport => {
  const { bundle, metrics } = options;
  const sources: Record<string, SourceQuality> = {};
  for (const source of [...options.sources].sort()) {
    const contract = bundle.sources[source];
    const sourceMetrics = metrics.sources[source];
    if (!contract || !sourceMetrics) {
      sources[source] = {
        source,
        verdict: "fail",
        rows_read: sourceMetrics?.rows_read ?? 0,
        rows_quarantined: sourceMetrics?.rows_quarantined ?? 0,
        quarantined_by_reason: { ...(sourceMetrics?.quarantined_by_reason ?? {}) },
        rules: [
          {
            name: "metrics_present",
            rule: "metrics_present",
            severity: "error",
            observed: null,
            threshold: null,
            status: "fail",
            detail: contract
              ? "the Spark metrics have no entry for this source"
              : "no contract for this source",
          },
        ],
      };
      continue;
    }
    sources[source] = evaluateSource(contract, sourceMetrics, {
      startedAt: options.startedAt,
      history: options.history[source] ?? [],
    });
  }
  const entities: Record<string, EntityGate> = {};
  for (const source of Object.keys(sources)) {
    for (const feed of bundle.sources[source]?.feeds ?? []) {
      const gate = entities[feed.entity] ?? { publishable: true, sources: [], held_by: [] };
      const failed = sources[source]?.verdict === "fail";
      entities[feed.entity] = {
        publishable: gate.publishable && !failed,
        sources: [...gate.sources, source],
        held_by: failed ? [...gate.held_by, source] : gate.held_by,
      };
    }
  }
  const verdicts = Object.values(sources).map((source) => source.verdict);
  const verdict: Verdict = verdicts.includes("fail") ? "fail" : verdicts.includes("warn") ? "warn" : "pass";
  return {
    run_id: options.runId,
    evaluated_at: options.evaluatedAt,
    bundle_checksum: bundle.checksum,
    verdict,
    sources,
    entities,
  };
};

/** What the Gate (a Choice state) reads, kept small for the execution state. */
export interface QualityGate {
  readonly verdict: Verdict;
  readonly report_uri: string;
  readonly has_failures: boolean;
  readonly has_publishable: boolean;
  readonly failing_sources: readonly string[];
  readonly warning_sources: readonly string[];
  readonly passing_sources: readonly string[];
  readonly publishable_entities: readonly string[];
  readonly held_entities: readonly string[];
}

/**
 * Summarises a report for the state machine.
 *
 * @example
 *   gateOf(report, "s3://curated/reports/run-….json").has_failures; // false
 */
export const gateOf = (report: QualityReport, reportUri: string): QualityGate => {
  const bySource = Object.values(report.sources);
  const entities = Object.entries(report.entities);
  return {
    verdict: report.verdict,
    report_uri: reportUri,
    has_failures: bySource.some((source) => source.verdict === "fail"),
    has_publishable: entities.some(([, gate]) => gate.publishable),
    failing_sources: bySource.filter((s) => s.verdict === "fail").map((s) => s.source),
    warning_sources: bySource.filter((s) => s.verdict === "warn").map((s) => s.source),
    passing_sources: bySource.filter((s) => s.verdict === "pass").map((s) => s.source),
    publishable_entities: entities
      .filter(([, gate]) => gate.publishable)
      .map(([entity]) => entity)
      .sort(),
    held_entities: entities
      .filter(([, gate]) => !gate.publishable)
      .map(([entity]) => entity)
      .sort(),
  };
};
