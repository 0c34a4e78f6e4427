import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/**
 * Emulation of Redshift auto-copy for the embedded DuckDB warehouse (ARCHITECTURE section 2): a registered
 * job per staging table watches `<bucket folder>/<prefix>`; each new file under it loads once, tracked by
 * file name, and the outcome lands in tables named and shaped like Redshift's SYS_COPY_JOB,
 * SYS_COPY_JOB_DETAIL and SYS_LOAD_DETAIL, so that `sql/checks/load_history.sql` runs unchanged.
 *
 * Differences from Redshift, on purpose: files are picked up when `ingestNewFiles()` runs (the local stage
 * calls it, and the adapter's `loadHistory` does), not by an S3 event; a file already under the prefix when
 * the job is created loads too (Redshift only loads files created after the job).
 */
export const AUTO_COPY_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS main.sys_copy_job (
    job_id BIGINT NOT NULL,
    job_name VARCHAR NOT NULL,
    iam_role VARCHAR,
    job_text VARCHAR,
    is_auto INTEGER NOT NULL,
    target_table VARCHAR NOT NULL,
    data_source VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS main.sys_copy_job_detail (
    user_id INTEGER,
    database_name VARCHAR,
    job_id BIGINT NOT NULL,
    job_name VARCHAR NOT NULL,
    file_location VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_size BIGINT,
    file_etag VARCHAR,
    job_text VARCHAR,
    modification_time TIMESTAMP,
    enqueue_time TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS main.sys_load_detail (
    user_id INTEGER,
    query_id BIGINT NOT NULL,
    file_name VARCHAR NOT NULL,
    bytes_scanned BIGINT,
    lines_scanned BIGINT,
    splits_scanned INTEGER,
    record_time TIMESTAMP,
    start_time TIMESTAMP,
    end_time TIMESTAMP
  )`,
  `CREATE TABLE IF NOT EXISTS main.sys_load_error_detail (
    query_id BIGINT NOT NULL,
    file_name VARCHAR NOT NULL,
    start_time TIMESTAMP,
    error_message VARCHAR
  )`,
];

export interface LocalFile {
  /** Key relative to the bucket folder, with `/` separators. */
  readonly key: string;
  readonly path: string;
  readonly size: number;
  readonly modified: Date;
}

/** Every file under `<bucketDir>/<prefix>`, sorted by key (a missing folder has none). */
export const listFiles = async (bucketDir: string, prefix: string): Promise<LocalFile[]> => {
  const folder = join(bucketDir, ...prefix.split("/").filter((part) => part !== ""));
  const found: LocalFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const info = await stat(path);
        const key = relative(bucketDir, path).split(sep).join("/");
        if (key.startsWith(prefix)) found.push({ key, path, size: info.size, modified: info.mtime });
      }
    }
  };
  await walk(folder);
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

/** The ETag a single-part S3 upload of the file would have (its MD5, hex). */
export const etagOf = async (path: string): Promise<string> =>
  createHash("md5")
    .update(await readFile(path))
    .digest("hex");
