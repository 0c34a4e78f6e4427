// Issue 13, risk 5: the plan's per-file list (`$.plan.objects`, kept in the state after TrimState for Merge's file
// versions) is never larger than the execution input's file list, which the trigger bounds by
// BATCH_MAX_INPUT_CHARS (<= 200,000) so that the state stays under Step Functions' 256 KiB.
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../src/adapters/aws/s3-object-store.js";
import { buildBundle, compileSource, readContracts } from "../../src/contracts/index.js";
import type { ContractSource } from "../../src/core/deps.js";
import { planBatch } from "../../src/core/plan-batch.js";
import { objectVersion } from "../../src/core/versions.js";
import type { RunInputObject } from "../../src/documents/run-input.js";
import { MemoryLog } from "../support/fakes.js";
import { memoryS3 } from "../support/memory-s3.js";

const MAX_INPUT_CHARS = 200_000;
const s3 = memoryS3();
afterAll(() => s3.mock.restore());

describe("the plan's per-file list in the state", () => {
  it("is smaller than the input list for a full batch of the source feeding the most entities, with a 63-character bucket", async () => {
    // The shipped contracts plus the worked example, whose one file feeds four entities.
    const contracts = [...readContracts("contracts"), ...readContracts("examples/contracts")];
    const bundle = buildBundle(
      Object.fromEntries(contracts.map(({ contract }) => [contract.source, compileSource(contract)])),
    );
    const widest = Object.entries(bundle.sources).sort(
      ([, a], [, b]) =>
        new Set(b.feeds.map((f) => f.entity)).size - new Set(a.feeds.map((f) => f.entity)).size,
    )[0];
    if (!widest) throw new Error("no sources");
    const [source, compiled] = widest;
    expect(new Set(compiled.feeds.map((feed) => feed.entity)).size).toBeGreaterThanOrEqual(4);

    const bucket = `sales-pipeline-prod-raw-${"9".repeat(39)}`; // 63 characters, S3's maximum
    const inputs: RunInputObject[] = [];
    let chars = 0;
    for (let n = 0; ; n += 1) {
      const object: RunInputObject = {
        bucket,
        key: `${source}/dt=2017-01-05/${source}-${String(n).padStart(6, "0")}.csv`,
        etag: "0123456789abcdef0123456789abcdef",
        size: 1_000_000,
        source,
        batch_date: "2017-01-05",
        uploaded_at: "2017-01-05T02:00:00.000Z",
        version: objectVersion("2017-01-05T02:00:00.000Z", "0062F7A5B8C4D1E2F3"),
      };
      const itemChars = JSON.stringify(object).length + 1; // as the trigger counts them
      if (chars + itemChars > MAX_INPUT_CHARS) break;
      inputs.push(object);
      chars += itemChars;
    }
    const names = { raw: bucket, curated: bucket, load: bucket, artifacts: bucket };
    const store = new S3ObjectStore(new S3Client({ region: "eu-west-1" }), names);
    const source_: ContractSource = { get: async () => bundle };
    const plan = await planBatch(
      {
        run_id: "run-20170105-0123456789abcdef",
        started_at: "2017-01-05T02:01:00.000Z",
        trigger: "s3",
        inputs,
      },
      { store, contracts: source_, log: new MemoryLog() },
    );
    const objectsChars = JSON.stringify(plan.objects).length;
    expect(plan.objects).toHaveLength(inputs.length);
    expect(objectsChars).toBeLessThanOrEqual(chars);
  });
});
