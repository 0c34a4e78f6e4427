// Issue 13, risks 5 and 6: the execution's payload stays under Step Functions' quota, and every failure a state
// can meet is caught by the workflow (quarantine, run record, alert) before the execution-level timeout, which no
// Catch can handle, could fire.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_TUNING } from "../../src/config/index.js";

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}
interface State {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string; Variable?: string; NumericGreaterThanEquals?: number }[];
  Catch?: { Next: string }[];
  Retry?: Retrier[];
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  SecondsPath?: string;
}
interface Definition {
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, State>;
}

const definition = JSON.parse(readFileSync("state-machines/pipeline.asl.json", "utf8")) as Definition;
const states = definition.States;
const state = (name: string): State => {
  const found = states[name];
  if (!found) throw new Error(`no state ${name}`);
  return found;
};

/** "Step Functions service quotas": 256 KiB per state input, output or result. */
const PAYLOAD_QUOTA_BYTES = 256 * 1024;
/** The largest error Cause Step Functions keeps (32,768 characters). */
const MAX_CAUSE_CHARS = 32_768;
/** BATCH_MAX_INPUT_CHARS' upper bound in src/config (the trigger splits a window above its value). */
const MAX_INPUT_CHARS = 200_000;

/** The longest a Task can take: every attempt to its timeout, plus each retrier's longest waits (JitterStrategy FULL only shortens them). */
const taskSeconds = (s: State): number => {
  const timeout = s.TimeoutSeconds ?? Number.POSITIVE_INFINITY;
  let attempts = 1;
  let waits = 0;
  for (const r of s.Retry ?? []) {
    const max = r.MaxAttempts ?? 3;
    attempts += max;
    for (let n = 0; n < max; n += 1) {
      waits += Math.min(
        r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
        (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n,
      );
    }
  }
  return timeout * attempts + waits;
};

const stateSeconds = (name: string): number => {
  const s = state(name);
  if (s.Type === "Task") return taskSeconds(s);
  if (s.Type === "Wait") return DEFAULT_TUNING.awaitLoadMaxWaitSeconds;
  return 0;
};

/** The load-polling loop: WaitForLoad -> AwaitLoad, bounded by LoadComplete's attempt limit. */
const LOOP_BACK = ["WaitForLoad", "AwaitLoad"] as const;
const successors = (name: string): string[] => {
  const s = state(name);
  return [
    ...(s.Next ? [s.Next] : []),
    ...(s.Default ? [s.Default] : []),
    ...(s.Choices ?? []).map((c) => c.Next),
    ...(s.Catch ?? []).map((c) => c.Next),
  ].filter((next) => !(name === LOOP_BACK[0] && next === LOOP_BACK[1]));
};

/** The longest path, in seconds, from a state to the end of the execution (the graph minus the polling loop is acyclic). */
const longest = (name: string, memo = new Map<string, number>()): number => {
  const known = memo.get(name);
  if (known !== undefined) return known;
  const seconds = stateSeconds(name) + Math.max(0, ...successors(name).map((next) => longest(next, memo)));
  memo.set(name, seconds);
  return seconds;
};

describe("execution limits (issue 13, risks 5 and 6)", () => {
  it("drops the execution input's file list right after PlanBatch, before any step adds its result", () => {
    expect(state("PlanBatch").Next).toBe("TrimState");
    const trim = state("TrimState");
    expect(trim.Type).toBe("Pass");
    expect(trim.Parameters).toEqual({
      "run_id.$": "$.run_id",
      "started_at.$": "$.started_at",
      "trigger.$": "$.trigger",
      "plan.$": "$.plan",
    });
    expect(trim.Next).toBe("Transform");
  });

  it("never reads $.inputs after TrimState", () => {
    const before = new Set(["PlanBatch", "TrimState"]);
    for (const [name, s] of Object.entries(states)) {
      if (before.has(name)) continue;
      expect(JSON.stringify(s), name).not.toContain("$.inputs");
    }
  });

  it("keeps the largest state that still carries the inputs (a PlanBatch failure on its way to RecordFailure) under the quota", () => {
    // The trigger bounds the characters of the file list; one byte each for ASCII keys. Multi-byte characters in
    // keys narrow the margin (docs/deploy.md says so).
    const overhead = 4_096; // run id, started_at, trigger, JSON punctuation of the error and quarantine results
    expect(MAX_INPUT_CHARS + MAX_CAUSE_CHARS + overhead).toBeLessThan(PAYLOAD_QUOTA_BYTES);
  });

  it("sets the execution timeout above the longest any path can take, so a state's own (catchable) timeout fires first", () => {
    const loadLimit = state("LoadComplete").Choices?.find(
      (c) => c.Variable === "$.load.attempt",
    )?.NumericGreaterThanEquals;
    expect(loadLimit).toBeGreaterThan(0);
    const polling = ((loadLimit ?? 0) - 1) * (stateSeconds("AwaitLoad") + stateSeconds("WaitForLoad"));
    const bound = longest(definition.StartAt) + polling;
    expect(bound).toBeGreaterThan(3_600);
    expect(definition.TimeoutSeconds).toBeGreaterThanOrEqual(bound);
    // and not absurdly more: a stuck execution still ends within a day.
    expect(definition.TimeoutSeconds).toBeLessThanOrEqual(86_400);
  });

  it("gives every Task its own timeout, which Catch sends down the failure path (quarantine, record, alert)", () => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type !== "Task") continue;
      expect(s.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(
        (s.Catch ?? []).length > 0 || ["RecordFailure", "NotifyFailure", "QuarantineRun"].includes(name),
        name,
      ).toBe(true);
    }
  });

  it("never retries a Spark job that failed (States.TaskFailed) or anything at all (States.ALL) on Transform", () => {
    const retried = (state("Transform").Retry ?? []).flatMap((r) => r.ErrorEquals);
    expect(retried).not.toContain("States.TaskFailed");
    expect(retried).not.toContain("States.ALL");
  });
});
