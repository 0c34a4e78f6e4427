import { describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../src/adapters/local/local-object-store.js";
import { NotFoundError } from "../../src/errors.js";
import { useTempDir } from "../support/temp.js";

const tempDir = useTempDir();

describe("LocalObjectStore", () => {
  it("stores objects as files with S3-like ETags, lists by prefix in key order", async () => {
    const store = new LocalObjectStore(await tempDir());
    const info = await store.put({ bucket: "raw", key: "orders/dt=2017-01-05/my file.csv" }, "hello");
    expect(info).toMatchObject({ size: 5, etag: "5d41402abc4b2a76b9719d911017c592" });
    await store.put({ bucket: "raw", key: "orders/dt=2017-01-04/a.csv" }, "x");
    await store.put({ bucket: "raw", key: "payments/dt=2017-01-04/a.csv" }, "x");
    expect((await store.list("raw", "orders/")).map((o) => o.key)).toEqual([
      "orders/dt=2017-01-04/a.csv",
      "orders/dt=2017-01-05/my file.csv",
    ]);
    expect((await store.list("raw", "orders/dt=2017-01-0")).length).toBe(2);
    expect(await store.list("raw", "sellers/")).toEqual([]);
  });

  it("round-trips URIs, copies, deletes, and names a missing object", async () => {
    const root = await tempDir();
    const store = new LocalObjectStore(root);
    const ref = { bucket: "curated", key: "curated/orders/run_id=r/part-0.parquet" } as const;
    await store.put(ref, "p");
    const uri = store.uri(ref);
    expect(uri).toBe(`file://${root}/buckets/curated/curated/orders/run_id=r/part-0.parquet`);
    expect(store.parseUri(uri)).toEqual(ref);
    expect(store.parseUri(store.uri({ bucket: "curated", key: "curated/" }))).toEqual({
      bucket: "curated",
      key: "curated/",
    });
    await store.copy(ref, { bucket: "load", key: "orders/r/part-0.parquet" });
    expect(
      new TextDecoder().decode(await store.get({ bucket: "load", key: "orders/r/part-0.parquet" })),
    ).toBe("p");
    await store.delete(ref);
    await store.delete(ref);
    await expect(store.get(ref)).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.head(ref)).toBeUndefined();
    expect(() => store.path({ bucket: "raw", key: "../../etc/passwd" })).toThrow(/escapes/);
  });

  it("refuses to write a key with an empty, . or .. segment instead of filing it elsewhere", async () => {
    const store = new LocalObjectStore(await tempDir());
    for (const key of [
      "orders/../payments/dt=2017-01-05/p.jsonl",
      "orders/./o.csv",
      "orders//o.csv",
      "/o.csv",
    ]) {
      await expect(store.put({ bucket: "raw", key }, "x")).rejects.toThrow(/cannot store key/);
    }
    expect(await store.list("raw", "")).toEqual([]);
  });
});
