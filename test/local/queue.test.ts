import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { LocalQueue } from "../../src/adapters/local/local-queue.js";
import { useTempDir } from "../support/temp.js";

const tempDir = useTempDir();

const queue = (
  dir: string,
  consumer: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
  windowMs = 0,
) =>
  new LocalQueue({
    batchSize: 3,
    windowMs,
    maxReceiveCount: 3,
    deadLetterFile: join(dir, "dlq.jsonl"),
    consumer,
    queueArn: "arn:aws:sqs:local:000000000000:raw-events",
    region: "local",
  });

describe("LocalQueue (the SQS event source of the local stage)", () => {
  it("delivers a window as SQS events of at most the batch size", async () => {
    const batches: string[][] = [];
    const q = queue(await tempDir(), async (event) => {
      batches.push(event.Records.map((r) => r.body));
      expect(event.Records[0]).toMatchObject({
        eventSource: "aws:sqs",
        attributes: { ApproximateReceiveCount: "1" },
      });
      return { batchItemFailures: [] };
    });
    for (const body of ["a", "b", "c", "d"]) q.send(body);
    await q.drain();
    expect(batches).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("groups drops that land within the batching window", async () => {
    const batches: string[][] = [];
    const q = queue(
      await tempDir(),
      async (event) => {
        batches.push(event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
      50,
    );
    q.send("a");
    q.send("b");
    await new Promise((done) => setTimeout(done, 120));
    q.send("c");
    await new Promise((done) => setTimeout(done, 120));
    await q.drain();
    expect(batches).toEqual([["a", "b"], ["c"]]);
  });

  it("redelivers only the reported failures, then moves them to the dead-letter file", async () => {
    const dir = await tempDir();
    const seen: string[] = [];
    const q = queue(dir, async (event) => {
      seen.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
      return {
        batchItemFailures: event.Records.filter((r) => r.body === "bad").map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    q.send("good");
    q.send("bad");
    await q.drain();
    expect(seen).toEqual(["good#1", "bad#1", "bad#2", "bad#3"]);
    expect(q.deadLetters).toBe(1);
    const dead = (await readFile(join(dir, "dlq.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(dead).toMatchObject([{ body: "bad", receiveCount: 3 }]);
  });
});
