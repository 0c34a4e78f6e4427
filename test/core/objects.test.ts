import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyKey, decodeS3Key, encodeS3Key } from "../../src/core/objects.js";
import { shippedBundle } from "../support/bundle.js";

describe("S3 keys in event notifications", () => {
  it("decodes URL-encoding with + for a space", () => {
    expect(decodeS3Key("payments/dt%3D2017-01-05/payments+export+2017-01-05.jsonl")).toBe(
      "payments/dt=2017-01-05/payments export 2017-01-05.jsonl",
    );
    expect(decodeS3Key("a/b%2Bc.csv")).toBe("a/b+c.csv");
  });

  it("encodes and decodes back to the same key, whatever the characters", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        (parts) => {
          const key = parts.join("/");
          expect(decodeS3Key(encodeS3Key(key))).toBe(key);
        },
      ),
    );
  });
});

describe("classifyKey", () => {
  it("routes by the first key segment and the longest matching extension", async () => {
    const bundle = await shippedBundle();
    expect(classifyKey("orders/dt=2017-01-05/orders-2017-01-05.csv.gz", bundle)).toEqual({
      ok: true,
      source: "orders",
      format: "csv",
      extension: ".csv.gz",
      batchDate: "2017-01-05",
    });
    expect(classifyKey("payments/dt=2017-01-05/p.JSONL", bundle)).toMatchObject({
      ok: true,
      format: "jsonl",
      extension: ".jsonl",
    });
    expect(classifyKey("orders/no-date/orders.csv", bundle)).toMatchObject({ ok: true, batchDate: null });
  });

  it("names the reason when no contract accepts the object", async () => {
    const bundle = await shippedBundle();
    expect(classifyKey("marketing/dt=2017-01-05/c.csv", bundle)).toMatchObject({
      ok: false,
      reason: "unknown_source",
      source: "marketing",
    });
    expect(classifyKey("orders.csv", bundle)).toMatchObject({
      ok: false,
      reason: "unknown_source",
      source: null,
    });
    expect(classifyKey("orders/dt=2017-01-05/readme.pdf", bundle)).toMatchObject({
      ok: false,
      reason: "unsupported_format",
      source: "orders",
    });
  });
});
