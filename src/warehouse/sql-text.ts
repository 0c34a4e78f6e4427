import { ValidationError } from "../errors.js";

/**
 * A small lexer for the SQL files: enough to tell code from string literals, quoted identifiers and
 * comments, so that parameter markers and dialect rewrites never touch text inside literals or comments.
 */
export type SegmentKind = "code" | "string" | "identifier" | "comment";

export interface Segment {
  readonly kind: SegmentKind;
  readonly text: string;
}

/**
 * Splits SQL text into code, '...' literals ('' escapes), "..." identifiers, -- and /* *\/ comments.
 *
 * @example
 *   segments("SELECT ':x' -- :y\n, :z").filter((s) => s.kind === "code").map((s) => s.text).join("")
 *   // "SELECT \n, :z"
 */
export const segments = (sql: string): Segment[] => {
  const out: Segment[] = [];
  let code = "";
  let index = 0;
  const flush = () => {
    if (code) out.push({ kind: "code", text: code });
    code = "";
  };
  while (index < sql.length) {
    const char = sql[index] as string;
    const next = sql[index + 1];
    if (char === "-" && next === "-") {
      flush();
      const end = sql.indexOf("\n", index);
      const stop = end === -1 ? sql.length : end;
      out.push({ kind: "comment", text: sql.slice(index, stop) });
      index = stop;
    } else if (char === "/" && next === "*") {
      flush();
      const end = sql.indexOf("*/", index + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out.push({ kind: "comment", text: sql.slice(index, stop) });
      index = stop;
    } else if (char === "'" || char === '"') {
      flush();
      let stop = index + 1;
      while (stop < sql.length) {
        if (sql[stop] === char) {
          if (sql[stop + 1] === char) stop += 2;
          else break;
        } else stop += 1;
      }
      out.push({ kind: char === "'" ? "string" : "identifier", text: sql.slice(index, stop + 1) });
      index = stop + 1;
    } else {
      code += char;
      index += 1;
    }
  }
  flush();
  return out;
};

/** Rewrites only the code segments of `sql`. */
export const mapCode = (sql: string, rewrite: (code: string) => string): string =>
  segments(sql)
    .map((segment) => (segment.kind === "code" ? rewrite(segment.text) : segment.text))
    .join("");

const PARAMETER = /(?<![:\w$]):([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * The named parameters (`:name`) a statement uses, in order of first use, ignoring `::` casts,
 * literals and comments.
 *
 * @example
 *   parameterNames("SELECT CAST(:run_id AS VARCHAR) WHERE x::int = :n") // ["run_id", "n"]
 */
export const parameterNames = (sql: string): string[] => {
  const names: string[] = [];
  for (const segment of segments(sql)) {
    if (segment.kind !== "code") continue;
    for (const match of segment.text.matchAll(PARAMETER)) {
      const name = match[1] as string;
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
};

/** Replaces every `:name` parameter marker with `render(name)`. */
export const replaceParameters = (sql: string, render: (name: string) => string): string =>
  mapCode(sql, (code) => code.replace(PARAMETER, (_match, name: string) => render(name)));

/**
 * The statements of a SQL file, in order: each without its semicolon, with the comments before it (the first
 * keeps the file's header); a comment after the last semicolon is dropped. Throws when the file holds none.
 *
 * @example
 *   splitStatements("-- two\nDROP VIEW a.v;\nDROP VIEW a.w;\n", "x.sql") // ["-- two\nDROP VIEW a.v", "DROP VIEW a.w"]
 */
export const splitStatements = (sql: string, file: string): string[] => {
  const statements: string[] = [];
  let current = "";
  const close = (text: string) => {
    if (segments(text).some((s) => s.kind === "code" && s.text.trim() !== "")) statements.push(text.trim());
  };
  for (const part of segments(sql)) {
    if (part.kind !== "code") {
      current += part.text;
      continue;
    }
    const pieces = part.text.split(";");
    pieces.forEach((piece, index) => {
      current += piece;
      if (index < pieces.length - 1) {
        close(current);
        current = "";
      }
    });
  }
  close(current);
  if (statements.length === 0) throw new ValidationError(`${file}: no SQL statement`);
  return statements;
};

/**
 * The single statement of a SQL file: the text without its final semicolon and any comment after it.
 * Throws when the file holds more than one statement (one object per file).
 */
export const singleStatement = (sql: string, file: string): string => {
  const statements = splitStatements(sql, file);
  if (statements.length > 1) throw new ValidationError(`${file}: a SQL file must hold exactly one statement`);
  return statements[0] as string;
};

/** The SQL without its comments (literals kept). */
export const stripComments = (sql: string): string =>
  segments(sql)
    .filter((segment) => segment.kind !== "comment")
    .map((segment) => segment.text)
    .join("");

/** `2017-01-05 10:11:12.123` (UTC): how both warehouses take a TIMESTAMP parameter. */
export const sqlTimestamp = (date: Date): string => date.toISOString().replace("T", " ").replace("Z", "");
