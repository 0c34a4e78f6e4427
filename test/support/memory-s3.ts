import { createHash } from "node:crypto";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";

interface Stored {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly lastModified: Date;
}

const bytes = (body: unknown): Uint8Array =>
  typeof body === "string" ? new TextEncoder().encode(body) : new Uint8Array(body as Uint8Array);

/**
 * S3 in memory behind aws-sdk-client-mock: the real `S3ObjectStore` adapter runs against it, so
 * handler tests use cloud-shaped events (s3:// URIs) end to end.
 */
export const memoryS3 = () => {
  const objects = new Map<string, Stored>();
  const id = (bucket?: string, key?: string) => `${bucket}/${key}`;
  const mock = mockClient(S3Client);
  mock.on(PutObjectCommand).callsFake((input) => {
    const body = bytes(input.Body);
    const etag = createHash("md5").update(body).digest("hex");
    objects.set(id(input.Bucket, input.Key), { body, etag, lastModified: new Date() });
    return { ETag: `"${etag}"` };
  });
  mock.on(GetObjectCommand).callsFake((input) => {
    const found = objects.get(id(input.Bucket, input.Key));
    if (!found) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
    return { Body: { transformToByteArray: async () => found.body }, ETag: `"${found.etag}"` };
  });
  mock.on(HeadObjectCommand).callsFake((input) => {
    const found = objects.get(id(input.Bucket, input.Key));
    if (!found) throw new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } });
    return {
      ContentLength: found.body.byteLength,
      ETag: `"${found.etag}"`,
      LastModified: found.lastModified,
    };
  });
  mock.on(ListObjectsV2Command).callsFake((input) => ({
    Contents: [...objects]
      .filter(([name]) => name.startsWith(id(input.Bucket, input.Prefix ?? "")))
      .map(([name, o]) => ({
        Key: name.slice(String(input.Bucket).length + 1),
        Size: o.body.byteLength,
        ETag: `"${o.etag}"`,
        LastModified: o.lastModified,
      })),
    IsTruncated: false,
  }));
  mock.on(CopyObjectCommand).callsFake((input) => {
    const source = decodeURIComponent(String(input.CopySource));
    const found = objects.get(source);
    if (!found) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
    objects.set(id(input.Bucket, input.Key), { ...found, lastModified: new Date() });
    return {};
  });
  mock.on(DeleteObjectCommand).callsFake((input) => {
    objects.delete(id(input.Bucket, input.Key));
    return {};
  });
  return {
    mock,
    objects,
    keys: (bucket: string, prefix = "") =>
      [...objects.keys()]
        .filter((name) => name.startsWith(`${bucket}/${prefix}`))
        .map((name) => name.slice(bucket.length + 1))
        .sort(),
  };
};
