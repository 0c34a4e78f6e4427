import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { NotFoundError, ValidationError } from "../../errors.js";
import {
  BUCKETS,
  type Bucket,
  type ObjectInfo,
  type ObjectRef,
  type ObjectStore,
} from "../../ports/object-store.js";
import { asTransient } from "./errors.js";

const unquote = (etag: string | undefined): string => (etag ?? "").replace(/^"|"$/g, "");

const isNotFound = (error: unknown): boolean => {
  const name = (error as { name?: string })?.name;
  return name === "NoSuchKey" || name === "NotFound";
};

/**
 * The object store on S3. The client is passed in (never created at import time), so tests drive
 * it with aws-sdk-client-mock and Lambdas share one client per container.
 *
 * @example
 *   const store = new S3ObjectStore(new S3Client({}), { raw: "acme-raw", curated: "acme-curated", ... });
 */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly names: Readonly<Record<Bucket, string>>,
  ) {}

  uri(ref: ObjectRef): string {
    return `s3://${this.names[ref.bucket]}/${ref.key}`;
  }

  parseUri(uri: string): ObjectRef {
    const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
    const bucket = match ? this.bucketOf(match[1] as string) : undefined;
    if (!match || !bucket) throw new ValidationError(`not a URI of this stage's buckets: ${uri}`);
    return { bucket, key: match[2] as string };
  }

  bucketName(bucket: Bucket): string {
    return this.names[bucket];
  }

  bucketOf(name: string): Bucket | undefined {
    return BUCKETS.find((bucket) => this.names[bucket] === name);
  }

  async put(ref: ObjectRef, body: string | Uint8Array, contentType?: string): Promise<ObjectInfo> {
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.names[ref.bucket],
          Key: ref.key,
          Body: body,
          ...(contentType ? { ContentType: contentType } : {}),
        }),
      );
      return {
        ...ref,
        size: typeof body === "string" ? Buffer.byteLength(body) : body.byteLength,
        etag: unquote(response.ETag),
        lastModified: new Date().toISOString(),
      };
    } catch (error) {
      throw asTransient(error, `S3 PutObject ${ref.bucket}/${ref.key}`);
    }
  }

  async get(ref: ObjectRef): Promise<Uint8Array> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.names[ref.bucket], Key: ref.key }),
      );
      if (!response.Body) return new Uint8Array();
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError(`no object ${this.uri(ref)}`, { cause: error });
      throw asTransient(error, `S3 GetObject ${this.uri(ref)}`);
    }
  }

  async head(ref: ObjectRef): Promise<ObjectInfo | undefined> {
    try {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.names[ref.bucket], Key: ref.key }),
      );
      return {
        ...ref,
        size: response.ContentLength ?? 0,
        etag: unquote(response.ETag),
        lastModified: (response.LastModified ?? new Date(0)).toISOString(),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw asTransient(error, `S3 HeadObject ${this.uri(ref)}`);
    }
  }

  async list(bucket: Bucket, prefix: string): Promise<ObjectInfo[]> {
    const infos: ObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const response = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.names[bucket],
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const object of response.Contents ?? []) {
          if (!object.Key) continue;
          infos.push({
            bucket,
            key: object.Key,
            size: object.Size ?? 0,
            etag: unquote(object.ETag),
            lastModified: (object.LastModified ?? new Date(0)).toISOString(),
          });
        }
        token = response.IsTruncated ? response.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw asTransient(error, `S3 ListObjectsV2 ${this.names[bucket]}/${prefix}`);
    }
    return infos.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async copy(from: ObjectRef, to: ObjectRef): Promise<void> {
    const source = `${this.names[from.bucket]}/${from.key.split("/").map(encodeURIComponent).join("/")}`;
    try {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.names[to.bucket], Key: to.key, CopySource: source }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError(`no object ${this.uri(from)}`, { cause: error });
      throw asTransient(error, `S3 CopyObject ${this.uri(from)} -> ${this.uri(to)}`);
    }
  }

  async delete(ref: ObjectRef): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.names[ref.bucket], Key: ref.key }));
    } catch (error) {
      throw asTransient(error, `S3 DeleteObject ${this.uri(ref)}`);
    }
  }
}
