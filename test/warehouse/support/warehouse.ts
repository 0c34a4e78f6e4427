import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DuckDbWarehouse,
  type DuckDbWarehouseOptions,
} from "../../../src/adapters/local/duckdb-warehouse.js";

export const SQL_ROOT = join(import.meta.dirname, "../../../sql");

/** The local stage's settings: bucket "load" is a folder; the role is never used locally. */
export const LOCAL_SETTINGS = {
  load_bucket: "load",
  copy_role_arn: "arn:aws:iam::000000000000:role/local-copy",
} as const;

export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), `wh-${prefix}-`));

/** An in-memory DuckDB warehouse over `loadDir` (one thread: the statements are many and small). */
export const openWarehouse = (
  loadDir: string,
  options: Partial<DuckDbWarehouseOptions> = {},
): Promise<DuckDbWarehouse> =>
  DuckDbWarehouse.open({
    path: ":memory:",
    sqlRoot: SQL_ROOT,
    buckets: { load: loadDir },
    threads: 1,
    ...options,
  });
