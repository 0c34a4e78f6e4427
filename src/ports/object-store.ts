/**
 * Object store port: the four logical buckets of the pipeline (ARCHITECTURE section 5). Adapters map
 * a logical bucket to an S3 bucket (cloud) or to a folder `.local/<stage>/buckets/<bucket>/` (local).
 */
export const BUCKETS = ["raw", "curated", "load", "artifacts"] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface ObjectRef {
  readonly bucket: Bucket;
  readonly key: string;
}

export interface ObjectInfo extends ObjectRef {
  readonly size: number;
  /** Quoteless hex ETag (S3: as S3 reports it; local: md5 of the content, like a single-part upload). */
  readonly etag: string;
  /** ISO-8601 UTC. */
  readonly lastModified: string;
}

export interface ObjectStore {
  /** The URI the Spark job and the manifests use: `s3://<bucket>/<key>` or `file:///abs/path`. */
  uri(ref: ObjectRef): string;
  /** Inverse of `uri`; throws a `ValidationError` for a URI outside the store's buckets. */
  parseUri(uri: string): ObjectRef;
  /** The physical name of a logical bucket (the S3 bucket name, or the local folder name). */
  bucketName(bucket: Bucket): string;
  /** The logical bucket behind a physical name, if it is one of ours. */
  bucketOf(name: string): Bucket | undefined;
  put(ref: ObjectRef, body: string | Uint8Array, contentType?: string): Promise<ObjectInfo>;
  /** Throws a `NotFoundError` when the object does not exist. */
  get(ref: ObjectRef): Promise<Uint8Array>;
  head(ref: ObjectRef): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(bucket: Bucket, prefix: string): Promise<ObjectInfo[]>;
  copy(from: ObjectRef, to: ObjectRef): Promise<void>;
  /** Deleting a missing object is not an error (as in S3). */
  delete(ref: ObjectRef): Promise<void>;
}
