import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ContractBundle } from "../../src/contracts/index.js";
import { calendarDate, classifyKey, decodeS3Key, encodeS3Key, isoDate } from "../../src/core/objects.js";
import { shippedBundle } from "../support/bundle.js";

/** The shipped bundle with `orders` taking its batch date from file names like `2010-12-01.csv`. */
const byFileName = async (): Promise<ContractBundle> => {
  const bundle = await shippedBundle();
  const orders = bundle.sources.orders;
  if (!orders) throw new Error("orders contract missing");
  return {
    ...bundle,
    sources: {
      ...bundle.sources,
      orders: {
        ...orders,
        batch_date: {
          from: "file_name",
          pattern: "^(?:orders_)?(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})\\.csv$",
        },
      },
    },
  };
};

/** The shipped bundle with `orders` dated by its column order_purchase_timestamp (read by `pipeline drop`). */
const byColumn = async (): Promise<ContractBundle> => {
  const bundle = await shippedBundle();
  const orders = bundle.sources.orders;
  if (!orders) throw new Error("orders contract missing");
  return {
    ...bundle,
    sources: {
      ...bundle.sources,
      orders: { ...orders, batch_date: { from: "column", column: "order_purchase_timestamp" } },
    },
  };
};

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

describe("calendar dates", () => {
  it("accepts real dates only, leap years included", () => {
    expect(isoDate("2016-02-29")).toBe("2016-02-29");
    expect(isoDate("2000-02-29")).toBe("2000-02-29");
    expect(isoDate("1900-02-29")).toBeNull();
    expect(isoDate("2017-04-31")).toBeNull();
    expect(isoDate("0000-01-01")).toBeNull();
    expect(isoDate("0001-01-01")).toBe("0001-01-01");
    expect(isoDate("9999-12-31")).toBe("9999-12-31");
    expect(isoDate("2017-1-05")).toBeNull();
    expect(calendarDate("2010", "1", "5")).toBe("2010-01-05");
    expect(calendarDate("10", "01", "05")).toBeNull();
  });

  it("agree with the calendar on every day of random years", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const text = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
          const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
          const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
          expect(isoDate(text)).toBe(day <= days ? text : null);
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
      compression: "gzip",
      extension: ".csv.gz",
      batchDate: "2017-01-05",
    });
    expect(classifyKey("payments/dt=2017-01-05/p.JSONL", bundle)).toMatchObject({
      ok: true,
      format: "jsonl",
      compression: null,
      extension: ".jsonl",
    });
  });

  it("takes the batch date only from a dt= folder holding a real calendar date: no fallback", async () => {
    const bundle = await shippedBundle();
    const reasonOf = (key: string) => {
      const routed = classifyKey(key, bundle);
      return routed.ok ? routed.batchDate : `${routed.reason}: ${routed.detail}`;
    };
    expect(reasonOf("orders/dt=2016-02-29/o.csv")).toBe("2016-02-29");
    expect(reasonOf("orders/dt=2017-13-45/o.csv")).toBe(
      "invalid_batch_date: dt=2017-13-45 is not a calendar date (YYYY-MM-DD)",
    );
    expect(reasonOf("orders/dt=2017-02-30/o.csv")).toMatch(/^invalid_batch_date: dt=2017-02-30 /);
    expect(reasonOf("orders/dt=2017-02-29/o.csv")).toMatch(/^invalid_batch_date/);
    expect(reasonOf("orders/dt=2017-1-5/o.csv")).toMatch(/^invalid_batch_date/);
    expect(reasonOf("orders/dt=/o.csv")).toMatch(/^invalid_batch_date/);
    expect(reasonOf("orders/o.csv")).toMatch(/^no_batch_date: no dt=YYYY-MM-DD folder/);
    expect(reasonOf("orders/no-date/orders.csv")).toMatch(
      /^invalid_key: "no-date" is not a dt=YYYY-MM-DD folder/,
    );
    expect(reasonOf("orders/dt=2017-01-05/extra/o.csv")).toMatch(/^invalid_key: 2 folders/);
    expect(reasonOf("orders/2017-01-05.csv")).toMatch(/^no_batch_date/);
  });

  it("rejects empty, . and .. segments before anything else", async () => {
    const bundle = await shippedBundle();
    for (const [key, source, detail] of [
      ["orders/dt=2017-01-05/../../payments/dt=2017-01-05/p.jsonl", "orders", 'segment 3 of the key is ".."'],
      ["orders/./dt=2017-01-05/o.csv", "orders", 'segment 2 of the key is "."'],
      ["orders//dt=2017-01-05/o.csv", "orders", "segment 2 of the key is empty"],
      ["/orders/dt=2017-01-05/o.csv", null, "segment 1 of the key is empty"],
      ["../orders/dt=2017-01-05/o.csv", null, 'segment 1 of the key is ".."'],
    ] as const) {
      expect(classifyKey(key, bundle)).toEqual({ ok: false, reason: "invalid_key", source, detail });
    }
  });

  it("takes the date from the file name when the contract says so; a dt= folder still wins", async () => {
    const bundle = await byFileName();
    const dateOf = (key: string) => {
      const routed = classifyKey(key, bundle);
      return routed.ok ? routed.batchDate : routed.reason;
    };
    expect(dateOf("orders/2010-12-01.csv")).toBe("2010-12-01");
    expect(dateOf("orders/orders_2011-02-28.csv")).toBe("2011-02-28");
    expect(dateOf("orders/dt=2010-12-05/2010-12-01.csv")).toBe("2010-12-05");
    expect(dateOf("orders/dt=2010-12-05/anything.csv")).toBe("2010-12-05");
    expect(dateOf("orders/2011-02-30.csv")).toBe("invalid_batch_date");
    expect(dateOf("orders/latest.csv")).toBe("no_batch_date");
    expect(dateOf("orders/in/2010-12-01.csv")).toBe("invalid_key");
    // Other contracts keep the dt= rule.
    expect(dateOf("payments/2010-12-01.jsonl")).toBe("no_batch_date");
  });

  it("needs the dt= folder for a contract dating files by a column: the trigger reads keys, not files", async () => {
    const bundle = await byColumn();
    expect(classifyKey("orders/dt=2017-01-05/export.csv", bundle)).toMatchObject({
      ok: true,
      batchDate: "2017-01-05",
    });
    expect(classifyKey("orders/2017-01-05.csv", bundle)).toEqual({
      ok: false,
      reason: "no_batch_date",
      source: "orders",
      detail:
        "no dt=YYYY-MM-DD folder: the orders contract dates a file by its column order_purchase_timestamp " +
        "(batch_date.from: column), which the trigger cannot read; upload it with " +
        "`pipeline drop <file> --source orders` (it reads the column and files the object under " +
        "orders/dt=<date>/), or put it under orders/dt=YYYY-MM-DD/ yourself",
    });
    expect(classifyKey("orders/dt=2017-02-30/export.csv", bundle)).toMatchObject({
      reason: "invalid_batch_date",
    });
    expect(classifyKey("orders/exports/export.csv", bundle)).toMatchObject({ reason: "invalid_key" });
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

describe("parseS3Messages", () => {
  it("reports a message whose object key is not valid URL encoding, and reads the others", async () => {
    const { readFile } = await import("node:fs/promises");
    const { parseS3Messages } = await import("../../src/core/s3-events.js");
    const body = JSON.parse(await readFile("test/events/s3/object-created-put.json", "utf8"));
    const bad = structuredClone(body);
    bad.Records[0].s3.object.key = "orders/dt%3D2017-01-05/50%ZZ.csv";
    const parsed = parseS3Messages([
      { messageId: "good", body: JSON.stringify(body) },
      { messageId: "bad", body: JSON.stringify(bad) },
    ]);
    expect(parsed.events.map((event) => event.messageId)).toEqual(["good"]);
    expect(parsed.badMessages).toEqual([
      { messageId: "bad", problem: "an object key is not valid URL encoding" },
    ]);
  });
});
