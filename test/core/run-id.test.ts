import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replayRunIdFor, runIdFor } from "../../src/core/run-id.js";
import { objectVersion } from "../../src/core/versions.js";

const V1 = objectVersion("2026-12-06T21:15:35.123Z", "0055AED6DCD90281E5");

const objectArb = fc.record({
  key: fc.string({ minLength: 1, maxLength: 200 }),
  etag: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 32, maxLength: 32 }),
  version: fc.nat().map((n) => `${String(n).padStart(15, "0")}:`),
  batchDate: fc.option(
    fc
      .date({ min: new Date("2016-01-01"), max: new Date("2019-12-31"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  ),
});

describe("run ids", () => {
  it("are valid execution names of at most 80 characters, whatever the batch", () => {
    fc.assert(
      fc.property(fc.array(objectArb, { minLength: 1, maxLength: 30 }), (objects) => {
        const id = runIdFor(objects);
        expect(id.length).toBeLessThanOrEqual(80);
        expect(id).toMatch(/^run-(\d{8}|nodate)-[0-9a-f]{16}$/);
      }),
    );
  });

  it("depend on the keys, ETags and versions only, not on their order", () => {
    fc.assert(
      fc.property(fc.array(objectArb, { minLength: 1, maxLength: 10 }), (objects) => {
        expect(runIdFor([...objects].reverse())).toBe(runIdFor(objects));
      }),
    );
  });

  it("change when an ETag changes (a rewritten file is a new batch)", () => {
    const a = [{ key: "orders/dt=2017-01-05/o.csv", etag: "aa", version: V1, batchDate: "2017-01-05" }];
    const b = [{ key: "orders/dt=2017-01-05/o.csv", etag: "ab", version: V1, batchDate: "2017-01-05" }];
    expect(runIdFor(a)).not.toBe(runIdFor(b));
    expect(runIdFor(a)).toMatch(/^run-20170105-/);
  });

  it("change when the version changes: the same bytes put again are a new version and a new run", () => {
    const a = [{ key: "orders/dt=2017-01-05/o.csv", etag: "aa", version: V1, batchDate: "2017-01-05" }];
    const again = [{ ...a[0], version: objectVersion("2026-12-06T21:15:36.000Z", "0055AED6DCD90281E6") }];
    expect(runIdFor(again as typeof a)).not.toBe(runIdFor(a));
  });

  it("give a replay its own name, different per request", () => {
    const objects = [{ key: "orders/dt=2017-01-05/o.csv", etag: "aa", version: V1, batchDate: "2017-01-05" }];
    const first = replayRunIdFor(objects, "2026-11-21T10:00:00.000Z");
    expect(first).toMatch(/^replay-20170105-[0-9a-f]{16}$/);
    expect(first).not.toBe(replayRunIdFor(objects, "2026-11-21T10:00:01.000Z"));
    expect(first).not.toBe(runIdFor(objects));
  });
});
