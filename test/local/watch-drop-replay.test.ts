import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../src/adapters/local/local-object-store.js";
import { keyForDrop } from "../../src/cli/commands/drop.js";
import { StoredContracts } from "../../src/core/contract-source.js";
import { replayObjects, startReplay } from "../../src/core/replay.js";
import { writeJson } from "../../src/documents/store.js";
import { RawWatcher } from "../../src/local/watch.js";
import type { ObjectInfo } from "../../src/ports/object-store.js";
import { deployBundle } from "../support/bundle.js";
import { MemoryLog, RecordingWorkflow } from "../support/fakes.js";
import { useTempDir } from "../support/temp.js";

const tempDir = useTempDir();

/** Waits for a condition (file-system events arrive when the machine gets to them). */
const until = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((done) => setTimeout(done, 50));
  }
};
const FROM_KEY = { from: "key", pattern: null } as const;
const FILE_NAME = {
  from: "file_name",
  pattern: "^(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})\\.csv$",
} as const;
const CONTRACTS = {
  orders: { batch_date: FROM_KEY },
  payments: { batch_date: FROM_KEY },
  retail: { batch_date: FILE_NAME },
  by_column: { batch_date: { from: "column", column: "InvoiceDate" } },
} as const;
/** The column reader for the keys no column dates: reading one is a failure. */
const byColumn = async (): Promise<string> => {
  throw new Error("no column should be read");
};

describe("keyForDrop", () => {
  it("takes the key from the path, or builds it from --source and the batch date", async () => {
    expect(
      await keyForDrop("/x/sample/raw/orders/dt=2017-01-02/orders-2017-01-02.csv", {}, CONTRACTS, byColumn),
    ).toBe("orders/dt=2017-01-02/orders-2017-01-02.csv");
    expect(
      await keyForDrop("/tmp/export.csv", { source: "payments", date: "2017-01-09" }, CONTRACTS, byColumn),
    ).toBe("payments/dt=2017-01-09/export.csv");
    expect(await keyForDrop("/in/dt=2017-02-01/o.csv", { source: "orders" }, CONTRACTS, byColumn)).toBe(
      "orders/dt=2017-02-01/o.csv",
    );
    // --date overrides the path's date, with or without --source.
    expect(
      await keyForDrop(
        "/in/dt=2017-02-01/o.csv",
        { source: "orders", date: "2017-03-01" },
        CONTRACTS,
        byColumn,
      ),
    ).toBe("orders/dt=2017-03-01/o.csv");
    expect(
      await keyForDrop("/x/raw/orders/dt=2017-01-02/o.csv", { date: "2017-03-01" }, CONTRACTS, byColumn),
    ).toBe("orders/dt=2017-03-01/o.csv");
    expect(
      await keyForDrop("/srv/orders/sample/raw/payments/dt=2017-01-02/p.jsonl", {}, CONTRACTS, byColumn),
    ).toBe("payments/dt=2017-01-02/p.jsonl");
    await expect(keyForDrop("/tmp/o.csv", {}, CONTRACTS, byColumn)).rejects.toThrow(/pass --source/);
    await expect(
      keyForDrop("/tmp/o.csv", { source: "orders", date: "21/11/2026" }, CONTRACTS, byColumn),
    ).rejects.toThrow(/calendar date YYYY-MM-DD/);
    await expect(
      keyForDrop("/tmp/o.csv", { source: "orders", date: "2017-02-30" }, CONTRACTS, byColumn),
    ).rejects.toThrow(/calendar date YYYY-MM-DD, got 2017-02-30/);
  });

  it("never files a drop under today's date: the contract's date source, or --date", async () => {
    await expect(keyForDrop("/tmp/o.csv", { source: "orders" }, CONTRACTS, byColumn)).rejects.toThrow(
      /cannot tell the batch date of \/tmp\/o.csv: its path has no dt=YYYY-MM-DD folder .*pass --date/,
    );
    await expect(
      keyForDrop("/in/dt=2017-02-30/o.csv", { source: "orders" }, CONTRACTS, byColumn),
    ).rejects.toThrow(/dt=2017-02-30 is not a calendar date/);
    // A contract that dates its files by name: the date comes from the name.
    expect(await keyForDrop("/data/2010-12-01.csv", { source: "retail" }, CONTRACTS, byColumn)).toBe(
      "retail/dt=2010-12-01/2010-12-01.csv",
    );
    expect(
      await keyForDrop("/data/2010-12-01.csv", { source: "retail", date: "2010-12-02" }, CONTRACTS, byColumn),
    ).toBe("retail/dt=2010-12-02/2010-12-01.csv");
    await expect(keyForDrop("/data/latest.csv", { source: "retail" }, CONTRACTS, byColumn)).rejects.toThrow(
      /does not match the retail contract's batch_date.pattern/,
    );
    await expect(
      keyForDrop("/data/2010-02-30.csv", { source: "retail" }, CONTRACTS, byColumn),
    ).rejects.toThrow(/names no calendar date/);
    // Not from file names for a source that dates by folder.
    await expect(
      keyForDrop("/data/2010-12-01.csv", { source: "orders" }, CONTRACTS, byColumn),
    ).rejects.toThrow(/pass --date/);
  });

  it("dates a file by its source's column when the contract says so; --date and a dt= folder still win", async () => {
    const read: string[] = [];
    const dater = async (path: string, source: string) => {
      read.push(`${source}:${path}`);
      return "2010-12-02";
    };
    expect(await keyForDrop("/data/export.csv", { source: "by_column" }, CONTRACTS, dater)).toBe(
      "by_column/dt=2010-12-02/export.csv",
    );
    expect(
      await keyForDrop("/data/export.csv", { source: "by_column", date: "2010-12-05" }, CONTRACTS, dater),
    ).toBe("by_column/dt=2010-12-05/export.csv");
    expect(
      await keyForDrop("/data/dt=2010-12-06/export.csv", { source: "by_column" }, CONTRACTS, dater),
    ).toBe("by_column/dt=2010-12-06/export.csv");
    // Without --source: a file directly in the source's folder is dated by its column; a dt= folder is kept.
    expect(await keyForDrop("/x/raw/by_column/export.csv", {}, CONTRACTS, dater)).toBe(
      "by_column/dt=2010-12-02/export.csv",
    );
    expect(await keyForDrop("/x/raw/by_column/dt=2010-12-07/export.csv", {}, CONTRACTS, dater)).toBe(
      "by_column/dt=2010-12-07/export.csv",
    );
    expect(read).toEqual(["by_column:/data/export.csv", "by_column:/x/raw/by_column/export.csv"]);
    // Other contracts never read a column.
    await expect(keyForDrop("/data/export.csv", { source: "orders" }, CONTRACTS, dater)).rejects.toThrow(
      /pass --date/,
    );
    expect(read).toHaveLength(2);
  });
});

describe("RawWatcher", () => {
  it("announces new and rewritten files once they stop growing, not the files already there", async () => {
    const store = new LocalObjectStore(await tempDir());
    await store.put({ bucket: "raw", key: "orders/dt=2017-01-01/old.csv" }, "old");
    const notified: ObjectInfo[] = [];
    const watcher = await RawWatcher.start(
      { store, notify: (info) => notified.push(info) },
      () => undefined,
      100,
    );
    try {
      const path = store.path({ bucket: "raw", key: "orders/dt=2017-01-02/new.csv" });
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, "order_id\n1\n");
      await until(() => notified.length >= 1);
      expect(notified.map((n) => [n.key, n.size])).toEqual([["orders/dt=2017-01-02/new.csv", 11]]);
      await writeFile(path, "order_id\n1\n2\n");
      await until(() => notified.length >= 2);
      // Quiet for a while: nothing else is announced (the old file, or the same write twice).
      await new Promise((done) => setTimeout(done, 400));
      expect(notified.map((n) => n.size)).toEqual([11, 13]);
    } finally {
      watcher.stop();
    }
  });
});

describe("replay from the raw zone", () => {
  const setup = async () => {
    const root = await tempDir();
    const store = new LocalObjectStore(root);
    await deployBundle(store);
    for (const key of [
      "orders/dt=2017-01-02/o.csv",
      "orders/dt=2017-01-03/o.csv",
      "payments/dt=2017-01-03/p.jsonl",
      "payments/dt=2017-01-05/p.jsonl",
    ]) {
      await store.put({ bucket: "raw", key }, key);
    }
    return { store, contracts: new StoredContracts(store) };
  };

  it("selects a date range (optionally some sources), one object, or an earlier run's files", async () => {
    const deps = await setup();
    const keys = async (selection: Parameters<typeof replayObjects>[0]) =>
      (await replayObjects(selection, deps)).map((o) => o.key);
    expect(await keys({ kind: "dates", from: "2017-01-03", to: "2017-01-05" })).toEqual([
      "orders/dt=2017-01-03/o.csv",
      "payments/dt=2017-01-03/p.jsonl",
      "payments/dt=2017-01-05/p.jsonl",
    ]);
    expect(await keys({ kind: "dates", from: "2017-01-02", to: "2017-01-03", sources: ["orders"] })).toEqual([
      "orders/dt=2017-01-02/o.csv",
      "orders/dt=2017-01-03/o.csv",
    ]);
    expect(await keys({ kind: "object", key: "payments/dt=2017-01-05/p.jsonl" })).toEqual([
      "payments/dt=2017-01-05/p.jsonl",
    ]);
    await writeJson(
      deps.store,
      { bucket: "curated", key: "manifests/run-1.json" },
      {
        inputs: [{ key: "orders/dt=2017-01-02/o.csv" }, { key: "payments/dt=2017-01-03/p.jsonl" }],
      },
    );
    expect(await keys({ kind: "run", runId: "run-1" })).toEqual([
      "orders/dt=2017-01-02/o.csv",
      "payments/dt=2017-01-03/p.jsonl",
    ]);
    await expect(keys({ kind: "object", key: "orders/dt=2017-01-09/missing.csv" })).rejects.toThrow(
      /is gone/,
    );
    await expect(keys({ kind: "dates", from: "2017-02-01", to: "2017-01-01" })).rejects.toThrow(
      /--from <= --to/,
    );
    await expect(keys({ kind: "run", runId: "run-404" })).rejects.toThrow(/no manifest/);
  });

  it("starts the same workflow under a replay name, a new one each time", async () => {
    const deps = await setup();
    const workflow = new RecordingWorkflow();
    let now = Date.parse("2026-11-21T21:00:00.000Z");
    const replay = () =>
      startReplay(
        { kind: "dates", from: "2017-01-02", to: "2017-01-05" },
        {
          ...deps,
          workflow,
          log: new MemoryLog(),
          now: () => {
            now += 1000;
            return new Date(now);
          },
          tuning: { batchMaxFiles: 200, batchMaxBytes: 1e9, batchMaxInputChars: 120_000 },
        },
      );
    const [first] = await replay();
    const [second] = await replay();
    expect(first).toMatch(/^replay-20170105-[0-9a-f]{16}$/);
    expect(second).not.toBe(first);
    expect(workflow.started.map((s) => [s.input.trigger, s.input.inputs.length])).toEqual([
      ["replay", 4],
      ["replay", 4],
    ]);
  });
});
