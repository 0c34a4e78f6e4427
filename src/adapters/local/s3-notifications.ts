import { createHash, randomBytes } from "node:crypto";
import { encodeS3Key } from "../../core/objects.js";
import type { ObjectInfo } from "../../ports/object-store.js";

let sequence = 0n;

/** A monotonically increasing S3-style sequencer (hex), so later writes of a key sort later. */
export const nextSequencer = (): string => {
  sequence += 1n;
  return (BigInt(Date.now()) * 1_000_000n + sequence).toString(16).toUpperCase().padStart(18, "0");
};

const requestId = (): string => randomBytes(8).toString("hex").toUpperCase();

/**
 * The S3 event notification S3 sends for a PUT (event version 2.1): what lands in the SQS message
 * body. The key is URL-encoded with `+` for a space, as S3 writes it.
 *
 * @example
 *   s3NotificationFor(info, { bucketName: "raw", region: "local" }).Records[0].s3.object.key;
 */
export const s3NotificationFor = (
  info: ObjectInfo,
  options: {
    readonly bucketName: string;
    readonly region: string;
    readonly eventTime?: string;
    /** The PUT's sequencer (default: the next one). */
    readonly sequencer?: string;
  },
) => ({
  Records: [
    {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: options.region,
      eventTime: options.eventTime ?? new Date().toISOString(),
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "AWS:LOCALSTAGE" },
      requestParameters: { sourceIPAddress: "127.0.0.1" },
      responseElements: {
        "x-amz-request-id": requestId(),
        "x-amz-id-2": randomBytes(24).toString("base64"),
      },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "raw-object-created",
        bucket: {
          name: options.bucketName,
          ownerIdentity: { principalId: "LOCALOWNER" },
          arn: `arn:aws:s3:::${options.bucketName}`,
        },
        object: {
          key: encodeS3Key(info.key),
          size: info.size,
          eTag: info.etag,
          sequencer: options.sequencer ?? nextSequencer(),
        },
      },
    },
  ],
});

/** MD5 of a message body, as SQS reports it. */
export const md5 = (text: string): string => createHash("md5").update(text).digest("hex");
