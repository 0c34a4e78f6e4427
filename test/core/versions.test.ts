import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { objectVersion, VERSION_TOKEN } from "../../src/core/versions.js";

describe("version tokens", () => {
  it("sort as text in upload order, then by sequencer compared right-aligned", () => {
    const upload = fc.record({
      ms: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      sequencer: fc.bigInt({ min: 0n, max: 2n ** 96n }),
    });
    fc.assert(
      fc.property(upload, upload, (a, b) => {
        const token = (u: typeof a) => objectVersion(new Date(u.ms).toISOString(), u.sequencer.toString(16));
        const expected =
          a.ms === b.ms ? Math.sign(Number(a.sequencer - b.sequencer)) : Math.sign(a.ms - b.ms);
        const [left, right] = [token(a), token(b)];
        expect(left).toMatch(VERSION_TOKEN);
        expect(left < right ? -1 : left > right ? 1 : 0).toBe(expected);
      }),
    );
  });

  it("give a replay (no sequencer) a token below any S3 event of the same millisecond", () => {
    expect(objectVersion("2026-12-06T21:15:35.123Z")).toBe("001796591735123:");
    expect(objectVersion("2026-12-06T21:15:35.123Z", "0055aed6dcd90281e5")).toBe(
      "001796591735123:000000000000000055AED6DCD90281E5",
    );
    expect(objectVersion("2026-12-06T21:15:35.123Z") < objectVersion("2026-12-06T21:15:35.123Z", "1")).toBe(
      true,
    );
  });

  it("refuse what is not an upload time or a sequencer", () => {
    expect(() => objectVersion("yesterday")).toThrow(/upload time/);
    expect(() => objectVersion("2026-12-06T21:15:35.123Z", "xyz")).toThrow(/sequencer/);
  });
});
