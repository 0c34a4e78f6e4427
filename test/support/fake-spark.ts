import type { ContractBundle } from "../../src/contracts/index.js";
import { SparkJobError, SparkProcessError } from "../../src/core/errors.js";
import { type SparkFailureReport, sparkErrorUriOf } from "../../src/core/spark-job.js";
import { runManifestSchema } from "../../src/documents/manifest.js";
import { readJson, writeJson } from "../../src/documents/store.js";
import type { ObjectStore } from "../../src/ports/object-store.js";
import type { SparkJobRequest, SparkJobResult, SparkRunner } from "../../src/ports/spark-runner.js";

/** Per source: rows read, rows quarantined, and rule failures by rule name. */
export interface SourceScenario {
  readonly rows: number;
  readonly quarantined?: number;
  readonly failedByRule?: Readonly<Record<string, number>>;
}

/**
 * How EMR Serverless's `.sync` integration reports a failed job run: `States.TaskFailed` whatever the
 * exception, with the job run's description as the cause.
 */
class EmrTaskFailed extends Error {
  override name = "States.TaskFailed";
}

/**
 * A Spark double for workflow-path tests: reads the manifest, writes one curated file per entity
 * and a metrics JSON shaped like the real job's, from a scenario. It can fail (a job error, the
 * warm process dying, or a job run failing the way EMR reports it) a number of times first.
 */
export class FakeSpark implements SparkRunner {
  jobFailures = 0;
  processFailures = 0;
  /** Fail like an EMR job run whose job wrote this report beside the metrics (as `main()` does). */
  emrFailure: SparkFailureReport | undefined;
  readonly runs: string[] = [];
  scenario: (source: string) => SourceScenario = () => ({ rows: 10 });

  constructor(
    private readonly store: ObjectStore,
    private readonly bundle: ContractBundle,
  ) {}

  async run(request: SparkJobRequest): Promise<SparkJobResult> {
    this.runs.push(request.runId);
    if (this.processFailures > 0) {
      this.processFailures -= 1;
      throw new SparkProcessError("warm Spark process exited (SIGKILL)");
    }
    if (this.jobFailures > 0) {
      this.jobFailures -= 1;
      throw new SparkJobError(
        "ConservationError: rows read != curated + quarantined + duplicates",
        "ConservationError",
      );
    }
    const manifest = await readJson(this.store, this.store.parseUri(request.manifestUri), runManifestSchema);
    if (this.emrFailure) {
      await writeJson(this.store, this.store.parseUri(sparkErrorUriOf(manifest.outputs.metrics_uri)), {
        run_id: manifest.run_id,
        ...this.emrFailure,
      });
      throw new EmrTaskFailed(
        JSON.stringify({
          JobRun: { State: "FAILED", StateDetails: "Job failed, please check complete logs." },
        }),
      );
    }
    const sources: Record<string, unknown> = {};
    const entities: Record<string, { rows_curated: number; sums: Record<string, string | null> }> = {};
    for (const source of [...new Set(manifest.inputs.map((i) => i.source))]) {
      const contract = this.bundle.sources[source];
      if (!contract) continue;
      const s = this.scenario(source);
      const quarantined = s.quarantined ?? 0;
      const curated = s.rows - quarantined;
      const rules = Object.fromEntries(
        contract.quality.map((rule) => {
          const failed = s.failedByRule?.[rule.name] ?? 0;
          if (rule.rule === "max_reject_rate") {
            return [
              rule.name,
              { rule: rule.rule, severity: rule.severity, evaluated: s.rows, failed: quarantined },
            ];
          }
          if (rule.rule === "freshness") {
            return [
              rule.name,
              { rule: rule.rule, severity: rule.severity, max_event_time: "2017-01-05 23:00:00" },
            ];
          }
          return [rule.name, { rule: rule.rule, severity: rule.severity, evaluated: s.rows, failed }];
        }),
      );
      sources[source] = {
        files: manifest.inputs
          .filter((i) => i.source === source)
          .map((i) => ({
            uri: i.uri,
            batch_date: i.batch_date,
            rows_read: s.rows,
            rows_quarantined: quarantined,
          })),
        rows_read: s.rows,
        rows_quarantined: quarantined,
        quarantined_by_reason: quarantined ? { invalid_type: quarantined } : {},
        event_time: { min: "2017-01-05 00:00:00", max: "2017-01-05 23:00:00" },
        batch_dates: ["2017-01-05"],
        entities: {},
        rules,
        conservation: { holds: true },
      };
      for (const feed of contract.feeds) {
        entities[feed.entity] = { rows_curated: curated, sums: {} };
        await this.store.put(
          {
            bucket: "curated",
            key: `curated/${feed.entity}/run_id=${manifest.run_id}/part-00000-fake.snappy.parquet`,
          },
          `fake parquet of ${feed.entity}`,
        );
      }
    }
    await writeJson(this.store, this.store.parseUri(manifest.outputs.metrics_uri), {
      run_id: manifest.run_id,
      sources,
      entities,
    });
    return {
      runId: request.runId,
      jobRunId: `fake-${this.runs.length}`,
      state: "SUCCESS",
      mode: "warm",
      seconds: 0.01,
    };
  }

  async close(): Promise<void> {}
}
