import { describe, expect, it } from "vitest";
import type { LoadedFile } from "../../src/ports/warehouse.js";
import { fileLoadStatus, loadProgress, toLoadHistory } from "../../src/warehouse/load-progress.js";

const file = (
  key: string,
  status: LoadedFile["status"],
  jobName = `staging_${key.split("/")[0]}`,
): LoadedFile => ({
  jobName,
  entity: key.split("/")[0] as string,
  bucket: "load",
  key,
  status,
  rows: status === "loaded" ? 3 : null,
  size: 10,
});

describe("fileLoadStatus", () => {
  it("reads SYS_COPY_JOB_DETAIL's letters and words", () => {
    expect(["I", "Ingested", "P", "pending ", "E", "Error", "U", ""].map(fileLoadStatus)).toEqual([
      "loaded",
      "loaded",
      "pending",
      "pending",
      "failed",
      "failed",
      "unknown",
      "unknown",
    ]);
  });
});

describe("toLoadHistory", () => {
  it("turns load_history.sql rows into files sorted by key", () => {
    const rows = [
      {
        job_name: "staging_orders",
        bucket: "load",
        file_name: "orders/r/part-1.parquet",
        status: "P",
        lines_scanned: null,
        file_size: 5,
      },
      {
        job_name: "staging_orders",
        bucket: "load",
        file_name: "orders/r/part-0.parquet",
        status: "I",
        lines_scanned: "7",
        file_size: 9,
      },
    ];
    expect(toLoadHistory("r", rows)).toEqual({
      runId: "r",
      files: [
        {
          jobName: "staging_orders",
          entity: "orders",
          bucket: "load",
          key: "orders/r/part-0.parquet",
          status: "loaded",
          rows: 7,
          size: 9,
        },
        {
          jobName: "staging_orders",
          entity: "orders",
          bucket: "load",
          key: "orders/r/part-1.parquet",
          status: "pending",
          rows: null,
          size: 5,
        },
      ],
    });
  });
});

describe("loadProgress", () => {
  const published = ["a/r/part-0.parquet", "b/r/part-0.parquet", "c/r/part-0.parquet", "d/r/part-0.parquet"];

  it("sorts the published files into loaded, pending, failed and not yet seen", () => {
    const history = {
      runId: "r",
      files: [
        file("a/r/part-0.parquet", "loaded"),
        file("b/r/part-0.parquet", "pending"),
        file("c/r/part-0.parquet", "failed"),
        file("z/r/part-0.parquet", "loaded"),
      ],
    };
    expect(loadProgress(history, published)).toEqual({
      complete: false,
      loaded: ["a/r/part-0.parquet"],
      pending: ["b/r/part-0.parquet"],
      failed: [file("c/r/part-0.parquet", "failed")],
      missing: ["d/r/part-0.parquet"],
    });
  });

  it("is complete once every published file has loaded, counting a file seen twice by its best status", () => {
    const history = {
      runId: "r",
      files: [
        ...published.map((key) => file(key, "loaded")),
        file("a/r/part-0.parquet", "pending", "an_older_job"),
      ],
    };
    expect(loadProgress(history, published)).toMatchObject({
      complete: true,
      loaded: published,
      pending: [],
    });
    expect(loadProgress({ runId: "r", files: [] }, [])).toMatchObject({ complete: true });
  });
});
