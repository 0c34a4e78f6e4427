import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ValidationError } from "../errors.js";
import type { WarehouseSettings } from "../ports/warehouse.js";
import { mapCode, splitStatements } from "./sql-text.js";

/** One statement from one SQL file. `name` is the file path under `sql/`, e.g. `merge/010_merge_scope.sql`. */
export interface SqlStatement {
  readonly name: string;
  readonly sql: string;
}

export interface SqlFile extends SqlStatement {
  /** sha256 of the file as stored (before placeholders are filled). */
  readonly checksum: string;
  /** The file as stored. */
  readonly text: string;
  /**
   * The file's statements in order. One, except in a `ddl/` migration that must change several things at once
   * (e.g. rebuild a table and the view over it), whose statements run in the migration's one transaction;
   * `sql` is then all of them, separated by semicolons, for display only.
   */
  readonly statements: readonly SqlStatement[];
}

/** The SQL folders, in the order migrations apply them. */
export const SQL_FOLDERS = ["ddl", "copy-jobs", "merge", "analytics", "checks", "ops"] as const;
export type SqlFolder = (typeof SQL_FOLDERS)[number];

/**
 * The SQL files of one `sql/` directory, read on first use and cached (no I/O at construction).
 * In Lambda the directory is packaged next to the handler (`$LAMBDA_TASK_ROOT/sql`).
 *
 * @example
 *   const files = new SqlFiles("/work/main/sql");
 *   const merge = await files.folder("merge"); // sorted by file name
 */
export class SqlFiles {
  private readonly cache = new Map<string, Promise<SqlFile[]>>();

  constructor(readonly root: string) {}

  folder(folder: SqlFolder): Promise<SqlFile[]> {
    let files = this.cache.get(folder);
    if (!files) {
      files = this.read(folder);
      this.cache.set(folder, files);
      files.catch(() => this.cache.delete(folder));
    }
    return files;
  }

  async file(folder: SqlFolder, name: string): Promise<SqlFile> {
    const found = (await this.folder(folder)).find((file) => file.name === `${folder}/${name}`);
    if (!found) throw new ValidationError(`no SQL file ${folder}/${name} under ${this.root}`);
    return found;
  }

  private async read(folder: SqlFolder): Promise<SqlFile[]> {
    let names: string[];
    try {
      names = (await readdir(join(this.root, folder))).filter((name) => name.endsWith(".sql")).sort();
    } catch (error) {
      throw new ValidationError(`cannot read the SQL folder ${join(this.root, folder)}`, { cause: error });
    }
    return Promise.all(
      names.map(async (name) => {
        const text = await readFile(join(this.root, folder, name), "utf8");
        const path = `${folder}/${name}`;
        const sqls = splitStatements(text, path);
        if (sqls.length > 1 && folder !== "ddl") {
          throw new ValidationError(`${path}: a SQL file must hold exactly one statement`);
        }
        const statements = sqls.map((sql, index) => ({
          name: sqls.length === 1 ? path : `${path}#${index + 1}`,
          sql,
        }));
        return {
          name: path,
          text,
          sql: sqls.join(";\n"),
          statements,
          checksum: createHash("sha256").update(text).digest("hex"),
        };
      }),
    );
  }
}

/** S3 bucket naming rules, without dots (auto-copy refuses a bucket with a dot in its name). */
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** The placeholder values of the SQL files; validated once, before anything runs. */
export const warehouseSettingsSchema = z.strictObject({
  load_bucket: z.string().regex(BUCKET, "must be an S3 bucket name without dots"),
  copy_role_arn: z.string().regex(ROLE_ARN, "must be an IAM role ARN"),
});

/** Validates placeholder values; throws a `ValidationError` naming the offending setting. */
export const validateSettings = (settings: unknown): WarehouseSettings => {
  const parsed = warehouseSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`warehouse settings: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return parsed.data;
};

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Fills `${name}` placeholders from validated settings. Placeholders may stand only inside string literals
 * (they are values such as bucket names and ARNs, never identifiers); an unknown one is an error.
 *
 * @example
 *   fillPlaceholders("FROM 's3://${load_bucket}/orders/'", settings) // "FROM 's3://sales-load/orders/'"
 */
export const fillPlaceholders = (statement: SqlStatement, settings: WarehouseSettings): SqlStatement => {
  const values = validateSettings(settings) as unknown as Record<string, string>;
  mapCode(statement.sql, (code) => {
    if (code.includes("${")) {
      throw new ValidationError(
        `${statement.name}: a \${placeholder} may only appear inside a string literal`,
      );
    }
    return code;
  });
  const sql = statement.sql.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ValidationError(`${statement.name}: unknown placeholder \${${name}}`);
    return value;
  });
  return { name: statement.name, sql };
};
