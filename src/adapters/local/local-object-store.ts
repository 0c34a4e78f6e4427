import { createHash, randomUUID } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { NotFoundError, ValidationError } from "../../errors.js";
import {
  BUCKETS,
  type Bucket,
  type ObjectInfo,
  type ObjectRef,
  type ObjectStore,
} from "../../ports/object-store.js";

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException)?.code === "ENOENT";

/**
 * The object store of the local stage: bucket `b` is the folder `<root>/buckets/<b>/`, and a key is
 * a relative path in it. Writes go to a temporary file first and are renamed into place, so a
 * reader (a watcher, Spark) never sees half a file. ETags are the MD5 of the content, as S3 gives
 * for a single-part upload.
 *
 * @example
 *   const store = new LocalObjectStore("/repo/.local/local");
 *   await store.put({ bucket: "raw", key: "orders/dt=2017-01-05/o.csv" }, "order_id\n1\n");
 */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;
  private readonly etags = new Map<string, { mtimeMs: number; size: number; etag: string }>();

  constructor(stageRoot: string) {
    this.root = resolve(stageRoot);
  }

  /** Absolute folder of a bucket. */
  bucketPath(bucket: Bucket): string {
    return join(this.root, "buckets", bucket);
  }

  /** Absolute path of an object. Rejects keys that would escape the bucket. */
  path(ref: ObjectRef): string {
    const base = this.bucketPath(ref.bucket);
    const full = resolve(base, ref.key);
    if (!full.startsWith(base + sep))
      throw new ValidationError(`key escapes bucket ${ref.bucket}: ${ref.key}`);
    return full;
  }

  uri(ref: ObjectRef): string {
    const url = pathToFileURL(this.path(ref)).href;
    return ref.key.endsWith("/") && !url.endsWith("/") ? `${url}/` : url;
  }

  parseUri(uri: string): ObjectRef {
    if (!uri.startsWith("file://")) throw new ValidationError(`not a local object URI: ${uri}`);
    const path = fileURLToPath(uri);
    for (const bucket of BUCKETS) {
      const base = this.bucketPath(bucket);
      if (path.startsWith(base + sep)) {
        const key = relative(base, path).split(sep).join("/");
        return { bucket, key: uri.endsWith("/") ? `${key}/` : key };
      }
    }
    throw new ValidationError(`URI is outside the stage's buckets: ${uri}`);
  }

  bucketName(bucket: Bucket): string {
    return bucket;
  }

  bucketOf(name: string): Bucket | undefined {
    return (BUCKETS as readonly string[]).includes(name) ? (name as Bucket) : undefined;
  }

  /**
   * The path an object is written to. S3 stores a key with an empty, `.` or `..` segment literally; a
   * folder cannot, and would put it somewhere else (`orders/../payments/x` into payments' folder), so
   * such a write is refused rather than misfiled.
   */
  private writePath(ref: ObjectRef): string {
    const bad = ref.key.split("/").find((segment) => segment === "" || segment === "." || segment === "..");
    if (bad !== undefined) {
      throw new ValidationError(
        `the local stage cannot store key ${JSON.stringify(ref.key)}: it has an ${bad === "" ? "empty" : `"${bad}"`} segment, which a folder would not keep`,
      );
    }
    return this.path(ref);
  }

  async put(ref: ObjectRef, body: string | Uint8Array): Promise<ObjectInfo> {
    const path = this.writePath(ref);
    const temp = join(this.root, "tmp", randomUUID());
    await mkdir(dirname(temp), { recursive: true });
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, body);
    await rename(temp, path);
    return this.info(ref, path);
  }

  async get(ref: ObjectRef): Promise<Uint8Array> {
    try {
      return await readFile(this.path(ref));
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`no object ${ref.bucket}/${ref.key}`, { cause: error });
      throw error;
    }
  }

  async head(ref: ObjectRef): Promise<ObjectInfo | undefined> {
    try {
      return await this.info(ref, this.path(ref));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(bucket: Bucket, prefix: string): Promise<ObjectInfo[]> {
    const base = this.bucketPath(bucket);
    // Walk only the deepest folder the prefix names, then filter on the full prefix.
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile()) keys.push(relative(base, full).split(sep).join("/"));
      }
    };
    await walk(join(base, folder));
    const selected = keys.filter((key) => key.startsWith(prefix)).sort();
    const infos: ObjectInfo[] = [];
    for (const key of selected) {
      const info = await this.head({ bucket, key });
      if (info) infos.push(info);
    }
    return infos;
  }

  async copy(from: ObjectRef, to: ObjectRef): Promise<void> {
    const target = this.writePath(to);
    const temp = join(this.root, "tmp", randomUUID());
    await mkdir(dirname(temp), { recursive: true });
    await mkdir(dirname(target), { recursive: true });
    try {
      await copyFile(this.path(from), temp);
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`no object ${from.bucket}/${from.key}`, { cause: error });
      throw error;
    }
    await rename(temp, target);
  }

  async delete(ref: ObjectRef): Promise<void> {
    await rm(this.path(ref), { force: true });
  }

  private async info(ref: ObjectRef, path: string): Promise<ObjectInfo> {
    const stats = await stat(path);
    const cached = this.etags.get(path);
    let etag: string;
    if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) etag = cached.etag;
    else {
      etag = createHash("md5")
        .update(await readFile(path))
        .digest("hex");
      this.etags.set(path, { mtimeMs: stats.mtimeMs, size: stats.size, etag });
    }
    return {
      bucket: ref.bucket,
      key: ref.key,
      size: stats.size,
      etag,
      lastModified: stats.mtime.toISOString(),
    };
  }
}
