import { S3Schema } from "@aws-lambda-powertools/parser/schemas";
import { decodeS3Key } from "./objects.js";
import type { S3ObjectEvent } from "./trigger.js";

interface SqsRecordLike {
  readonly messageId: string;
  readonly body: string;
}

/**
 * Reads the S3 event notifications out of SQS message bodies. A body that is not an S3 event is
 * reported per message (SQS redelivers it, then the DLQ keeps it); S3's `s3:TestEvent` (sent when
 * a notification is configured) is counted and skipped.
 *
 * @example
 *   const { events } = parseS3Messages(sqsEvent.Records);
 *   events[0].key; // "orders/dt=2017-01-05/my file.csv" (decoded)
 */
export const parseS3Messages = (
  records: readonly SqsRecordLike[],
): {
  events: S3ObjectEvent[];
  badMessages: { messageId: string; problem: string }[];
  testEvents: number;
} => {
  const events: S3ObjectEvent[] = [];
  const badMessages: { messageId: string; problem: string }[] = [];
  let testEvents = 0;
  for (const record of records) {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      badMessages.push({ messageId: record.messageId, problem: "body is not JSON" });
      continue;
    }
    if ((body as { Event?: unknown })?.Event === "s3:TestEvent") {
      testEvents += 1;
      continue;
    }
    const parsed = S3Schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      badMessages.push({
        messageId: record.messageId,
        problem: `not an S3 event notification: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? ""}`,
      });
      continue;
    }
    const keys: string[] = [];
    try {
      for (const s3Record of parsed.data.Records) keys.push(decodeS3Key(s3Record.s3.object.key));
    } catch {
      badMessages.push({ messageId: record.messageId, problem: "an object key is not valid URL encoding" });
      continue;
    }
    for (const [index, s3Record] of parsed.data.Records.entries()) {
      events.push({
        messageId: record.messageId,
        eventName: s3Record.eventName,
        eventTime: s3Record.eventTime,
        bucket: s3Record.s3.bucket.name,
        key: keys[index] ?? "",
        size: s3Record.s3.object.size ?? 0,
        etag: s3Record.s3.object.eTag ?? "",
        ...(s3Record.s3.object.sequencer ? { sequencer: s3Record.s3.object.sequencer } : {}),
        ...(s3Record.s3.object.versionId ? { versionId: s3Record.s3.object.versionId } : {}),
      });
    }
  }
  return { events, badMessages, testEvents };
};
