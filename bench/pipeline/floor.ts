/**
 * The single-engine floor: one embedded DuckDB doing the pipeline's logical work over the raw files it gets,
 * with no orchestration, no Spark and no warehouse round trips. `make bench-pipeline` runs it on the same
 * files as the pipeline and records pipeline seconds / floor seconds (bench/results/pipeline.md).
 *
 * The work, driven by the compiled contract bundle (source columns, types, formats, null values, required
 * columns, row-level error rules, event time, feeds and their expressions, entity keys):
 *   1. read every raw file (csv, csv.gz, jsonl; routed by `classifyKey` like the pipeline) with every value as
 *      text; csv records of the wrong width go to DuckDB's rejects table and are counted as `malformed_row`, a
 *      jsonl line that is not a JSON object likewise;
 *   2. type each value per the contract and reject rows for `missing_required`, `invalid_type` and
 *      `rule_violation` (first reason wins, as in docs/semantics.md), then map the feeds onto the conformed
 *      entities (a null in a non-nullable entity column is a reject too) and apply the `max_reject_rate` gate
 *      per source over the whole input (one run, like the pipeline's "all at once" scenario);
 *   3. dedupe per entity by the bundle's dedupe key, latest by (effective_at, file, position);
 *   4. build SCD2 dim_customer (per person) and dim_product (with the latest translation), dim_seller, and the
 *      facts: fact_sales (order-item grain, point in time to customer and product), fact_orders, fact_payments;
 *   5. read the same summary the pipeline's star answers (rows per table, unknown members, revenue by month
 *      and category, orders by status, payments), so it can be compared with the generator's truth.
 * The star step (4) follows docs/semantics.md and names the fixed conformed entities' columns; everything
 * before it comes from the bundle. `_source_line` here is the record's position in its file (DuckDB's
 * insertion order), which orders records like the physical line does; parquet files are not read (counted as
 * unsupported).
 *
 * Usage: tsx bench/pipeline/floor.ts --dir <raw dir | generator output dir> [--bundle .build/contracts.bundle.json]
 *          [--gate run|day] [--threads N] [--json]
 *        tsx bench/pipeline/floor.ts --orders 20000 --days 10 [--seed 1]   (generates into a temp dir first)
 * With a generator output dir (raw/ + expected/truth.json) or --orders, the summary is compared with the truth,
 * which assumes one run per day: use --gate day for an exact match when the truth gates a source on some day.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { DEFAULT_CSV_OPTIONS } from "../../src/contracts/schema.js";
import type { CompiledSource, ContractBundle } from "../../src/contracts/types.js";
import { classifyKey } from "../../src/core/objects.js";
import { compareWithTruth, type ExpectedStar } from "../../src/generator/truth-check.js";
import type { StarSnapshot } from "../../src/warehouse/star-snapshot.js";

export interface FloorFile {
  /** Object key relative to the raw root: `<source>/dt=YYYY-MM-DD/<file>`. */
  readonly key: string;
  readonly path: string;
  readonly bytes: number;
  readonly mtime: Date;
}

export interface FloorSourceCounts {
  files: number;
  bytes: number;
  rows_read: number;
  rejected: Record<string, number>;
  curated: number;
  /** The gate groups the max_reject_rate rule stopped: "run", or the batch dates with `gate: "day"`. */
  gated: string[];
}

export interface FloorEntityCounts {
  /** Rows the feeds produced from curated source rows of ungated sources. */
  rows_in: number;
  duplicates: number;
  rows_out: number;
}

export interface FloorResult {
  /** Wall time from listing the raw files until the star tables are built (queryable). */
  readonly seconds: number;
  /** The same plus reading the summary back (`snapshot`, row counts). */
  readonly seconds_with_summary: number;
  readonly phases: Record<string, number>;
  readonly threads: number;
  readonly load_average_before: number[];
  readonly input: { files: number; bytes: number; rows_read: number; unsupported_files: string[] };
  readonly sources: Record<string, FloorSourceCounts>;
  /** Per raw file (key): rows read and rejected rows per reason. */
  readonly files: Record<string, { rows_read: number; rejected: Record<string, number> }>;
  readonly entities: Record<string, FloorEntityCounts>;
  readonly star: Record<string, { rows: number; keys?: number }>;
  readonly snapshot: StarSnapshot;
}

const UNIT_SEPARATOR = String.fromCharCode(0x1f);
const round = (n: number, digits = 3) => Number(n.toFixed(digits));
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const list = (paths: readonly string[]) => `[${paths.map(literal).join(", ")}]`;

/** The DuckDB type of a contract/entity type name (Spark SQL names). */
export const duckType = (type: string): string => {
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  const types: Record<string, string> = {
    string: "VARCHAR",
    int: "INTEGER",
    bigint: "BIGINT",
    double: "DOUBLE",
    boolean: "BOOLEAN",
    date: "DATE",
    timestamp: "TIMESTAMP",
  };
  const mapped = types[type];
  if (!mapped) throw new Error(`floor: no DuckDB type for contract type "${type}"`);
  return mapped;
};

const SPARK_TOKENS: Record<string, string> = {
  yyyy: "%Y",
  yy: "%y",
  MM: "%m",
  M: "%m",
  dd: "%d",
  d: "%d",
  HH: "%H",
  H: "%H",
  hh: "%I",
  mm: "%M",
  m: "%M",
  ss: "%S",
  s: "%S",
  SSS: "%g",
  SSSSSS: "%f",
  a: "%p",
};

/**
 * A Spark datetime pattern as a DuckDB strptime format.
 *
 * @example
 *   strptimeFormat("yyyy-MM-dd'T'HH:mm:ss"); // "%Y-%m-%dT%H:%M:%S"
 */
export const strptimeFormat = (pattern: string): string => {
  let out = "";
  for (let at = 0; at < pattern.length; ) {
    const char = pattern[at] as string;
    if (char === "'") {
      const end = pattern.indexOf("'", at + 1);
      const text = end === -1 ? pattern.slice(at + 1) : pattern.slice(at + 1, end);
      out += text === "" ? "'" : text.replaceAll("%", "%%");
      at = end === -1 ? pattern.length : end + 1;
    } else if (/[A-Za-z]/.test(char)) {
      let end = at;
      while (pattern[end] === char) end++;
      const token = pattern.slice(at, end);
      const mapped = SPARK_TOKENS[token];
      if (!mapped)
        throw new Error(`floor: unsupported datetime pattern letter run "${token}" in "${pattern}"`);
      out += mapped;
      at = end;
    } else {
      out += char === "%" ? "%%" : char;
      at++;
    }
  }
  return out;
};

/** SQL typing one text value (already null-normalised) per the contract column: null when it does not parse. */
const typedValue = (value: string, column: CompiledSource["columns"][number]): string => {
  if (column.type === "string") return value;
  if ((column.type === "date" || column.type === "timestamp") && column.format) {
    const parsed = `try_strptime(${value}, ${literal(strptimeFormat(column.format))})`;
    return column.type === "date" ? `CAST(${parsed} AS DATE)` : parsed;
  }
  return `TRY_CAST(${value} AS ${duckType(column.type)})`;
};

/** SQL true when a typed row breaks a row-level rule of severity error. */
const ruleViolations = (source: CompiledSource): string[] =>
  source.quality.flatMap((rule) => {
    if (!rule.row_level || rule.severity !== "error") return [];
    const column = "column" in rule ? ident(rule.column) : null;
    if (!column) return [];
    switch (rule.rule) {
      case "not_null":
        return [`${column} IS NULL`];
      case "accepted_values":
        return [`(${column} IS NOT NULL AND ${column} NOT IN (${rule.values.map(literal).join(", ")}))`];
      case "range":
        return [
          ...(rule.min !== undefined ? [`${column} < ${rule.min}`] : []),
          ...(rule.max !== undefined ? [`${column} > ${rule.max}`] : []),
        ].map((test) => `coalesce(${test}, false)`);
      case "regex":
        return [
          `(${column} IS NOT NULL AND NOT regexp_matches(CAST(${column} AS VARCHAR), ${literal(rule.pattern)}))`,
        ];
      default:
        return [];
    }
  });

/** The first line of a (possibly gzip'ed) file, without a BOM or CR. */
const firstLine = async (path: string, gzip: boolean): Promise<string> => {
  const input = createReadStream(path, { highWaterMark: 64 * 1024 });
  const stream = gzip ? input.pipe(createGunzip()) : input;
  let text = "";
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString("utf8");
      if (text.includes("\n")) break;
    }
  } finally {
    input.destroy();
    stream.destroy();
  }
  const end = text.indexOf("\n");
  return (end === -1 ? text : text.slice(0, end)).replace(/^\ufeff/, "").replace(/\r$/, "");
};

/** The column names of a CSV header line (quoted names unquoted). */
export const splitHeader = (line: string, delimiter: string, quote: string): string[] => {
  const names: string[] = [];
  let current = "";
  let quoted = false;
  for (let at = 0; at < line.length; at++) {
    const char = line[at] as string;
    if (quoted) {
      if (char === quote && line[at + 1] === quote) {
        current += quote;
        at++;
      } else if (char === quote) quoted = false;
      else current += char;
    } else if (char === quote) quoted = true;
    else if (char === delimiter) {
      names.push(current);
      current = "";
    } else current += char;
  }
  names.push(current);
  return names;
};

/** Every file under `rawDir`, keyed like the raw bucket. */
export const listRawFiles = async (rawDir: string): Promise<FloorFile[]> => {
  const entries = await readdir(rawDir, { recursive: true, withFileTypes: true });
  const files: FloorFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    files.push({
      key: relative(rawDir, path).split(sep).join("/"),
      path,
      bytes: info.size,
      mtime: info.mtime,
    });
  }
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

const STAR_SQL = `
CREATE TEMP TABLE person_of AS
SELECT customer_id, customer_unique_id FROM core_customers
QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY effective_at DESC, _source_file DESC, _source_line DESC) = 1;

CREATE TEMP TABLE dim_customer AS
WITH observed AS (
  SELECT customer_unique_id, zip_code_prefix, city, state, effective_at,
    lag({z: zip_code_prefix, c: city, s: state}) OVER w AS previous, row_number() OVER w AS n
  FROM core_customers
  WINDOW w AS (PARTITION BY customer_unique_id ORDER BY effective_at, _source_file, _source_line)
), starts AS (
  SELECT *, row_number() OVER (PARTITION BY customer_unique_id ORDER BY n) AS version_number FROM observed
  WHERE n = 1 OR previous IS DISTINCT FROM {z: zip_code_prefix, c: city, s: state}
)
SELECT row_number() OVER () AS customer_key, customer_unique_id, zip_code_prefix, city, state, version_number,
  CASE WHEN version_number = 1 THEN TIMESTAMP '1900-01-01' ELSE effective_at END AS valid_from,
  coalesce(lead(effective_at) OVER (PARTITION BY customer_unique_id ORDER BY version_number), TIMESTAMP '9999-12-31') AS valid_to,
  lead(effective_at) OVER (PARTITION BY customer_unique_id ORDER BY version_number) IS NULL AS is_current
FROM starts;

CREATE TEMP TABLE dim_product AS
WITH observed AS (
  SELECT product_id, category_name, name_length, description_length, photos_qty, weight_g, length_cm, height_cm,
    width_cm, effective_at, row_number() OVER w AS n,
    lag({a: category_name, b: name_length, c: description_length, d: photos_qty, e: weight_g, f: length_cm,
         g: height_cm, h: width_cm}) OVER w AS previous
  FROM core_products
  WINDOW w AS (PARTITION BY product_id ORDER BY effective_at, _source_file, _source_line)
), starts AS (
  SELECT *, row_number() OVER (PARTITION BY product_id ORDER BY n) AS version_number FROM observed
  WHERE n = 1 OR previous IS DISTINCT FROM {a: category_name, b: name_length, c: description_length,
    d: photos_qty, e: weight_g, f: length_cm, g: height_cm, h: width_cm}
), translation AS (
  SELECT category_name, category_name_english FROM core_category_translation
  QUALIFY row_number() OVER (PARTITION BY category_name ORDER BY effective_at DESC, _source_file DESC, _source_line DESC) = 1
)
SELECT row_number() OVER () AS product_key, starts.product_id, starts.category_name,
  translation.category_name_english, name_length, description_length, photos_qty, weight_g, length_cm,
  height_cm, width_cm, version_number,
  CASE WHEN version_number = 1 THEN TIMESTAMP '1900-01-01' ELSE effective_at END AS valid_from,
  coalesce(lead(effective_at) OVER (PARTITION BY product_id ORDER BY version_number), TIMESTAMP '9999-12-31') AS valid_to,
  lead(effective_at) OVER (PARTITION BY product_id ORDER BY version_number) IS NULL AS is_current
FROM starts LEFT JOIN translation ON starts.category_name = translation.category_name;

CREATE TEMP TABLE dim_seller AS
SELECT row_number() OVER () AS seller_key, seller_id, zip_code_prefix, city, state FROM core_sellers
QUALIFY row_number() OVER (PARTITION BY seller_id ORDER BY effective_at DESC, _source_file DESC, _source_line DESC) = 1;

CREATE TEMP TABLE order_context AS
SELECT o.order_id, o.customer_id, o.status, o.purchased_at, o.approved_at, o.delivered_carrier_at,
  o.delivered_customer_at, o.estimated_delivery_at,
  year(o.purchased_at) * 10000 + month(o.purchased_at) * 100 + day(o.purchased_at) AS date_key,
  coalesce(c.customer_key, -1) AS customer_key
FROM core_orders o
LEFT JOIN person_of p ON o.customer_id = p.customer_id
LEFT JOIN dim_customer c ON p.customer_unique_id = c.customer_unique_id
  AND o.purchased_at >= c.valid_from AND o.purchased_at < c.valid_to;

CREATE TEMP TABLE fact_sales AS
WITH item_versions AS (
  -- The product version valid at purchase (the current one when the order is unknown): an equi-join on
  -- product_id, then the validity test as a filter (as the merge SQL does).
  SELECT i.order_id, i.order_item_id, p.product_key
  FROM core_order_items i LEFT JOIN order_context o ON i.order_id = o.order_id
  JOIN dim_product p ON i.product_id = p.product_id
  WHERE (o.order_id IS NULL AND p.is_current) OR (o.purchased_at >= p.valid_from AND o.purchased_at < p.valid_to)
)
SELECT i.order_id, i.order_item_id, coalesce(o.date_key, -1) AS date_key, coalesce(o.customer_key, -1) AS customer_key,
  coalesce(p.product_key, -1) AS product_key, coalesce(s.seller_key, -1) AS seller_key, i.quantity, i.unit_price,
  i.quantity * i.unit_price AS revenue, i.freight_value
FROM core_order_items i
LEFT JOIN order_context o ON i.order_id = o.order_id
LEFT JOIN item_versions p ON i.order_id = p.order_id AND i.order_item_id = p.order_item_id
LEFT JOIN dim_seller s ON i.seller_id = s.seller_id;

CREATE TEMP TABLE fact_orders AS
WITH items AS (
  SELECT order_id, count(*) AS item_count, sum(quantity * unit_price) AS items_revenue, sum(freight_value) AS freight_total
  FROM core_order_items GROUP BY order_id
), paid AS (
  SELECT order_id, sum(payment_value) AS payments_total FROM core_payments GROUP BY order_id
)
SELECT o.order_id, o.date_key, o.customer_key, o.status AS order_status, o.purchased_at, o.approved_at,
  o.delivered_carrier_at, o.delivered_customer_at, o.estimated_delivery_at,
  coalesce(items.item_count, 0) AS item_count, coalesce(items.items_revenue, 0) AS items_revenue,
  coalesce(items.freight_total, 0) AS freight_total, coalesce(paid.payments_total, 0) AS payments_total,
  date_diff('day', CAST(o.purchased_at AS DATE), CAST(o.delivered_customer_at AS DATE)) AS delivery_days,
  date_diff('day', CAST(o.estimated_delivery_at AS DATE), CAST(o.delivered_customer_at AS DATE)) AS delay_days,
  date_diff('day', CAST(o.estimated_delivery_at AS DATE), CAST(o.delivered_customer_at AS DATE)) > 0 AS is_late
FROM order_context o LEFT JOIN items ON o.order_id = items.order_id LEFT JOIN paid ON o.order_id = paid.order_id;

CREATE TEMP TABLE fact_payments AS
SELECT p.order_id, p.payment_sequential, coalesce(o.date_key, -1) AS date_key,
  coalesce(o.customer_key, -1) AS customer_key, p.payment_type, p.installments, p.payment_value
FROM core_payments p LEFT JOIN order_context o ON p.order_id = o.order_id;
`;

/** The entities the star step reads (an entity no source feeds is an empty table of its columns). */
const STAR_ENTITIES = [
  "customers",
  "products",
  "sellers",
  "category_translation",
  "orders",
  "order_items",
  "payments",
];

/** Lineage values the feeds may name besides file, position, batch date and event/effective time. */
const lineageDefaults = (startedAt: Date): Record<string, string> => ({
  _run_id: "'floor'",
  _ingested_at: `TIMESTAMP '${startedAt.toISOString().replace("T", " ").slice(0, 19)}'`,
});

/**
 * Runs the floor over the raw files under `rawDir` and returns its timing and row counts.
 *
 * @example
 *   const result = await runFloor({ rawDir: ".local/sample/raw", bundle });
 *   result.seconds; // 2.3
 */
export const runFloor = async (options: {
  rawDir: string;
  bundle: ContractBundle;
  threads?: number;
  /**
   * How the max_reject_rate gate groups rows: "run" = per source over all the files (one run, as when the
   * files are dropped at once), "day" = per source and batch date (one run per day, as the generator's truth).
   */
  gateBy?: "run" | "day";
}): Promise<FloorResult> => {
  const { bundle } = options;
  const gateBy = options.gateBy ?? "run";
  const loadBefore = loadavg().map((n) => round(n, 2));
  const startedAt = new Date();
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = round((now - mark) / 1000);
    mark = now;
  };

  const files = await listRawFiles(options.rawDir);
  const instance = await DuckDBInstance.create(":memory:", {
    ...(options.threads ? { threads: String(options.threads) } : {}),
  });
  const db = await instance.connect();
  const debug = process.env.FLOOR_DEBUG
    ? (t0: number, sql: string) =>
        process.stderr.write(
          `  ${((performance.now() - t0) / 1000).toFixed(3)}s ${sql.trim().replace(/\s+/g, " ").slice(0, 70)}\n`,
        )
    : () => undefined;
  const run = async (sql: string) => {
    const t0 = performance.now();
    await db.run(sql);
    debug(t0, sql);
  };
  const rows = async (sql: string) => {
    const t0 = performance.now();
    const out = (await db.runAndReadAll(sql)).getRowObjectsJS();
    debug(t0, sql);
    return out;
  };
  const num = (value: unknown) => Number(value ?? 0);
  try {
    const threads = num((await rows("SELECT current_setting('threads') AS t"))[0]?.t);
    // Route files like the pipeline does: source from the first key segment, format from the extension.
    const unsupported: string[] = [];
    const bySource = new Map<string, { csv: FloorFile[]; jsonl: FloorFile[] }>();
    const batchDateOf = new Map<string, string>();
    for (const file of files) {
      const route = classifyKey(file.key, bundle);
      if (!route.ok || route.format === "parquet") {
        unsupported.push(file.key);
        continue;
      }
      const group = bySource.get(route.source) ?? { csv: [], jsonl: [] };
      group[route.format].push(file);
      bySource.set(route.source, group);
      // The batch date: the dt= date of the key, else the upload time (here the file's modification time).
      batchDateOf.set(
        file.key,
        route.batchDate
          ? `${route.batchDate} 00:00:00`
          : file.mtime.toISOString().replace("T", " ").slice(0, 19),
      );
    }
    // path -> key and batch date, for lineage.
    await run("CREATE TEMP TABLE files (path VARCHAR, key VARCHAR, batch_at TIMESTAMP)");
    const routed = files.filter((f) => batchDateOf.has(f.key));
    if (routed.length > 0) {
      await run(
        `INSERT INTO files VALUES ${routed
          .map(
            (f) =>
              `(${literal(f.path)}, ${literal(f.key)}, TIMESTAMP ${literal(batchDateOf.get(f.key) ?? "")})`,
          )
          .join(", ")}`,
      );
    }

    // 1. Read: every value as text, with the position of each record in its file.
    const sources: Record<string, FloorSourceCounts> = {};
    /** Rows read per file and outcome ("" = curated). */
    const perFile: { source: string; key: string; reason: string; n: number; moved?: boolean }[] = [];
    const sourceNames = [...bySource.keys()].sort();
    for (const [index, name] of sourceNames.entries()) {
      const source = bundle.sources[name] as CompiledSource;
      const group = bySource.get(name) as { csv: FloorFile[]; jsonl: FloorFile[] };
      const all = [...group.csv, ...group.jsonl];
      sources[name] = {
        files: all.length,
        bytes: all.reduce((s, f) => s + f.bytes, 0),
        rows_read: 0,
        rejected: {},
        curated: 0,
        gated: [],
      };
      const parts: string[] = [];
      const rejectTables: string[] = [];
      if (group.csv.length > 0) {
        const csv = source.csv ?? DEFAULT_CSV_OPTIONS;
        // The header names each file's columns: files are grouped by header and read without sniffing (explicit
        // dialect and columns, all text); a contract column absent from a header is null.
        const byHeader = new Map<string, FloorFile[]>();
        for (const file of group.csv) {
          const names = csv.header
            ? splitHeader(
                await firstLine(file.path, file.key.toLowerCase().endsWith(".gz")),
                csv.delimiter,
                csv.quote,
              )
            : source.columns.map((c) => c.name);
          const id = JSON.stringify(names);
          byHeader.set(id, [...(byHeader.get(id) ?? []), file]);
        }
        const encoding = csv.encoding.toLowerCase().replace(/^utf8$/, "utf-8");
        for (const [at, [id, members]] of [...byHeader.entries()].entries()) {
          const names = JSON.parse(id) as string[];
          const table = `read_csv_${index}_${at}`;
          await run(
            `CREATE TEMP TABLE ${table} AS SELECT * FROM read_csv(${list(members.map((f) => f.path))},
              header = ${csv.header}, auto_detect = false,
              columns = {${names.map((n) => `${literal(n)}: 'VARCHAR'`).join(", ")}},
              delim = ${literal(csv.delimiter)}, quote = ${literal(csv.quote)}, escape = ${literal(csv.escape)},
              ${encoding === "utf-8" ? "" : `encoding = ${literal(encoding)},`}
              filename = true, hive_partitioning = false, store_rejects = true,
              rejects_table = 'rejects_${index}_${at}', rejects_scan = 'scans_${index}_${at}')`,
          );
          parts.push(
            `SELECT filename AS _path, rowid AS _pos, false AS _malformed, ${source.columns
              .map((c) => `${names.includes(c.name) ? ident(c.name) : "NULL"} AS ${ident(c.name)}`)
              .join(", ")} FROM ${table}`,
          );
          rejectTables.push(
            `SELECT scan_id, file_id, line, file_path FROM rejects_${index}_${at} JOIN scans_${index}_${at} USING (scan_id, file_id)`,
          );
        }
        // Records of the wrong width (or unreadable) are in the rejects tables, one row per error.
        for (const row of await rows(
          `SELECT files.key, count(DISTINCT (r.scan_id, r.file_id, r.line)) AS n
           FROM (${rejectTables.join(" UNION ALL ")}) r JOIN files ON r.file_path = files.path GROUP BY files.key`,
        )) {
          perFile.push({ source: name, key: String(row.key), reason: "malformed_row", n: num(row.n) });
        }
      }
      if (group.jsonl.length > 0) {
        // One text line per record (a delimiter no JSON text holds unescaped), then the values as text.
        await run(
          `CREATE TEMP TABLE read_jsonl_${index} AS
           SELECT filename AS _path, line, coalesce(json_valid(line) AND starts_with(ltrim(line), '{'), false) AS _object
           FROM read_csv(${list(group.jsonl.map((f) => f.path))},
             columns = {'line': 'VARCHAR'}, header = false, delim = ${literal(UNIT_SEPARATOR)}, quote = '',
             escape = '', auto_detect = false, filename = true, hive_partitioning = false, strict_mode = false)
           WHERE line IS NOT NULL AND trim(line) <> ''`,
        );
        const paths = source.columns.map((c) => literal(`$.${JSON.stringify(c.name)}`)).join(", ");
        parts.push(
          `SELECT _path, _pos, NOT _object AS _malformed, ${source.columns
            .map((c, i) => `_values[${i + 1}] AS ${ident(c.name)}`)
            .join(", ")}
           FROM (SELECT _path, rowid AS _pos, _object,
                   CASE WHEN _object THEN try(json_extract_string(line, [${paths}])) END AS _values
                 FROM read_jsonl_${index})`,
        );
      }
      await run(`CREATE TEMP VIEW text_${index} AS ${parts.join(" UNION ALL ")}`);
    }
    phase("read");

    // 2. Type and reject (first reason wins), then feed the entities.
    for (const [index, name] of sourceNames.entries()) {
      const source = bundle.sources[name] as CompiledSource;
      const nulls = source.null_values.map(literal).join(", ");
      const inner = source.columns.map((c) => {
        const text = nulls
          ? `CASE WHEN t.${ident(c.name)} IN (${nulls}) THEN NULL ELSE t.${ident(c.name)} END`
          : `t.${ident(c.name)}`;
        return `${text} AS ${ident(`__text_${c.name}`)}, ${typedValue(text, c)} AS ${ident(c.name)}`;
      });
      const missing = source.columns
        .filter((c) => c.required)
        .map((c) => `${ident(`__text_${c.name}`)} IS NULL`);
      const invalid = source.columns
        .filter((c) => c.type !== "string")
        .map((c) => `(${ident(`__text_${c.name}`)} IS NOT NULL AND ${ident(c.name)} IS NULL)`);
      const violations = ruleViolations(source);
      const reason = [
        "WHEN _malformed THEN 'malformed_row'",
        ...(missing.length > 0 ? [`WHEN ${missing.join(" OR ")} THEN 'missing_required'`] : []),
        ...(invalid.length > 0 ? [`WHEN ${invalid.join(" OR ")} THEN 'invalid_type'`] : []),
        ...(violations.length > 0 ? [`WHEN ${violations.join(" OR ")} THEN 'rule_violation'`] : []),
      ].join(" ");
      const eventTime = source.event_time
        ? `CAST(${ident(source.event_time)} AS TIMESTAMP)`
        : "NULL::TIMESTAMP";
      await run(
        `CREATE TEMP TABLE typed_${index} AS
         SELECT ${source.columns.map((c) => ident(c.name)).join(", ")}, _source_file, _source_line, _batch_date,
           ${eventTime} AS _event_time, coalesce(${eventTime}, _batch_date) AS _effective_at,
           CASE ${reason} END AS _reason
         FROM (SELECT ${inner.join(", ")}, files.key AS _source_file, t._pos AS _source_line,
                 files.batch_at AS _batch_date, t._malformed
               FROM text_${index} t JOIN files ON t._path = files.path)`,
      );
    }
    const feedsByEntity = new Map<string, string[]>();
    for (const [index, name] of sourceNames.entries()) {
      const source = bundle.sources[name] as CompiledSource;
      for (const feed of source.feeds) {
        const entity = bundle.entities[feed.entity];
        if (!entity) throw new Error(`floor: feed of ${name} names unknown entity ${feed.entity}`);
        const lineage = Object.entries(lineageDefaults(startedAt)).map(
          ([column, value]) => `${value} AS ${column}`,
        );
        const required = feed.select
          .filter((s) => !s.nullable)
          .map((s) => `${ident(s.column)} IS NULL`)
          .join(" OR ");
        const select = feed.select.map(
          (s) => `TRY_CAST((${s.expression}) AS ${duckType(s.type)}) AS ${ident(s.column)}`,
        );
        const fed = `SELECT *, ${required || "false"} AS _missing FROM (
            SELECT ${select.join(", ")}, _source_file, _source_line, ${literal(name)} AS _source
            FROM (SELECT *, ${lineage.join(", ")} FROM typed_${index} WHERE _reason IS NULL)
            ${feed.filter ? `WHERE ${feed.filter}` : ""})`;
        feedsByEntity.set(feed.entity, [...(feedsByEntity.get(feed.entity) ?? []), fed]);
      }
    }
    for (const [entity, feeds] of feedsByEntity) {
      await run(`CREATE TEMP TABLE fed_${entity} AS ${feeds.join(" UNION ALL BY NAME ")}`);
    }
    // Accounting per file, then the max_reject_rate gate per source over the run (or per source and day).
    for (const [index, name] of sourceNames.entries()) {
      for (const row of await rows(
        `SELECT _source_file AS key, coalesce(_reason, '') AS reason, count(*) AS n FROM typed_${index} GROUP BY ALL`,
      )) {
        perFile.push({ source: name, key: String(row.key), reason: String(row.reason), n: num(row.n) });
      }
    }
    for (const entity of feedsByEntity.keys()) {
      for (const row of await rows(
        `SELECT _source AS source, _source_file AS key, count(DISTINCT _source_line) AS n FROM fed_${entity}
         WHERE _missing GROUP BY ALL`,
      )) {
        // Typed fine, but a feed put a null into a non-nullable entity column: curated -> missing_required.
        perFile.push({
          source: String(row.source),
          key: String(row.key),
          reason: "missing_required",
          n: num(row.n),
          moved: true,
        });
      }
    }
    const gateGroup = (key: string) => (gateBy === "day" ? (batchDateOf.get(key) ?? "").slice(0, 10) : "run");
    const groups = new Map<
      string,
      { source: string; group: string; read: number; rejected: number; keys: Set<string> }
    >();
    const fileCounts: FloorResult["files"] = {};
    for (const entry of perFile) {
      const counts = sources[entry.source] as FloorSourceCounts;
      fileCounts[entry.key] ??= { rows_read: 0, rejected: {} };
      const file = fileCounts[entry.key] as FloorResult["files"][string];
      if (!entry.moved) file.rows_read += entry.n;
      if (entry.reason !== "") file.rejected[entry.reason] = (file.rejected[entry.reason] ?? 0) + entry.n;
      const id = `${entry.source}|${gateGroup(entry.key)}`;
      const totals = groups.get(id) ?? {
        source: entry.source,
        group: gateGroup(entry.key),
        read: 0,
        rejected: 0,
        keys: new Set<string>(),
      };
      groups.set(id, totals);
      totals.keys.add(entry.key);
      if (entry.moved) counts.curated -= entry.n;
      else {
        counts.rows_read += entry.n;
        totals.read += entry.n;
      }
      if (entry.reason === "") counts.curated += entry.n;
      else {
        counts.rejected[entry.reason] = (counts.rejected[entry.reason] ?? 0) + entry.n;
        totals.rejected += entry.n;
      }
    }
    const gatedFiles: string[] = [];
    for (const totals of groups.values()) {
      const gate = (bundle.sources[totals.source] as CompiledSource).quality.find(
        (rule) => rule.rule === "max_reject_rate" && rule.severity === "error",
      );
      if (
        gate?.rule === "max_reject_rate" &&
        totals.read > 0 &&
        totals.rejected / totals.read > gate.threshold
      ) {
        (sources[totals.source] as FloorSourceCounts).gated.push(totals.group);
        gatedFiles.push(...totals.keys);
      }
    }
    phase("type_and_feed");

    // 3. Dedupe per entity: the latest row per dedupe key.
    const excluded =
      gatedFiles.length > 0 ? `AND _source_file NOT IN (${gatedFiles.map(literal).join(", ")})` : "";
    const entities: Record<string, FloorEntityCounts> = {};
    for (const [entity, definition] of Object.entries(bundle.entities)) {
      const columns = definition.columns.map((c) => ident(c.name)).join(", ");
      if (!feedsByEntity.has(entity)) {
        await run(
          `CREATE TEMP TABLE core_${entity} AS SELECT ${definition.columns
            .map((c) => `NULL::${duckType(c.type)} AS ${ident(c.name)}`)
            .join(", ")}, NULL::VARCHAR AS _source_file, NULL::BIGINT AS _source_line LIMIT 0`,
        );
        continue;
      }
      await run(
        `CREATE TEMP TABLE core_${entity} AS
         SELECT ${columns}, _source_file, _source_line FROM fed_${entity}
         WHERE NOT _missing ${excluded}
         QUALIFY row_number() OVER (PARTITION BY ${definition.dedupe_key.map(ident).join(", ")}
           ORDER BY effective_at DESC, _source_file DESC, _source_line DESC) = 1`,
      );
      const [inRow] = await rows(`SELECT count(*) AS n FROM fed_${entity} WHERE NOT _missing ${excluded}`);
      const [outRow] = await rows(`SELECT count(*) AS n FROM core_${entity}`);
      entities[entity] = {
        rows_in: num(inRow?.n),
        duplicates: num(inRow?.n) - num(outRow?.n),
        rows_out: num(outRow?.n),
      };
    }
    for (const entity of STAR_ENTITIES) {
      if (!bundle.entities[entity]) throw new Error(`floor: the bundle has no entity ${entity}`);
    }
    phase("dedupe");

    // 4. SCD2 dimensions and the facts, point in time.
    for (const statement of STAR_SQL.split(";").filter((text) => text.trim() !== "")) await run(statement);
    phase("scd2_and_facts");
    // Queryable here: the star is built. The summary below only reads it back, for the report.
    const seconds = round((mark - started) / 1000);

    // 5. The summary the star answers.
    const snapshot = await summarize(rows);
    const star: Record<string, { rows: number; keys?: number }> = {};
    for (const [table, key] of [
      ["dim_customer", "customer_unique_id"],
      ["dim_product", "product_id"],
      ["dim_seller", "seller_id"],
      ["fact_sales", null],
      ["fact_orders", null],
      ["fact_payments", null],
    ] as const) {
      const [row] = await rows(
        `SELECT count(*) AS n${key ? `, count(DISTINCT ${key}) AS k` : ""} FROM ${table}`,
      );
      star[table] = { rows: num(row?.n), ...(key ? { keys: num(row?.k) } : {}) };
    }
    phase("summary");

    return {
      seconds,
      seconds_with_summary: round((performance.now() - started) / 1000),
      phases,
      threads,
      load_average_before: loadBefore,
      input: {
        files: files.length,
        bytes: files.reduce((s, f) => s + f.bytes, 0),
        rows_read: Object.values(sources).reduce((s, c) => s + c.rows_read, 0),
        unsupported_files: unsupported,
      },
      sources,
      files: fileCounts,
      entities,
      star,
      snapshot,
    };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
};

type Rows = (sql: string) => Promise<Record<string, unknown>[]>;

const sortedRecord = <T>(entries: [string, T][]): Record<string, T> =>
  Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The star's summary in the shape of `starSnapshot` (src/local/star-summary.ts), same definitions. */
const summarize = async (rows: Rows): Promise<StarSnapshot> => {
  const count = async (sql: string) => Number((await rows(sql))[0]?.n ?? 0);
  const sales = `SELECT s.revenue, o.purchased_at, p.product_key, p.category_name FROM fact_sales s
    JOIN fact_orders o ON s.order_id = o.order_id LEFT JOIN dim_product p ON s.product_key = p.product_key
    WHERE o.order_status NOT IN ('canceled', 'unavailable')`;
  const money = (value: unknown) => String(value);
  const mix = await rows(
    `SELECT payment_type, count(*) AS n, CAST(sum(payment_value) AS DECIMAL(18, 2))::VARCHAR AS total
     FROM fact_payments GROUP BY payment_type ORDER BY payment_type`,
  );
  return {
    star: {
      dim_customer: await count("SELECT count(*) AS n FROM dim_customer"),
      dim_product: await count("SELECT count(*) AS n FROM dim_product"),
      dim_seller: await count("SELECT count(*) AS n FROM dim_seller"),
      fact_sales: await count("SELECT count(*) AS n FROM fact_sales"),
      fact_orders: await count("SELECT count(*) AS n FROM fact_orders"),
      fact_payments: await count("SELECT count(*) AS n FROM fact_payments"),
      unknown_members: {
        fact_sales_unknown_order: await count("SELECT count(*) AS n FROM fact_sales WHERE date_key = -1"),
        fact_sales_unknown_product: await count(
          "SELECT count(*) AS n FROM fact_sales WHERE product_key = -1",
        ),
        fact_sales_unknown_customer: await count(
          "SELECT count(*) AS n FROM fact_sales WHERE customer_key = -1",
        ),
        fact_orders_unknown_customer: await count(
          "SELECT count(*) AS n FROM fact_orders WHERE customer_key = -1",
        ),
        fact_payments_unknown_order: await count(
          "SELECT count(*) AS n FROM fact_payments WHERE date_key = -1",
        ),
      },
    },
    revenue_by_month: sortedRecord(
      (
        await rows(
          `SELECT strftime(purchased_at, '%Y-%m') AS month, CAST(sum(revenue) AS DECIMAL(18, 2))::VARCHAR AS revenue
           FROM (${sales}) GROUP BY month`,
        )
      ).map((row) => [String(row.month), money(row.revenue)]),
    ),
    revenue_by_category: sortedRecord(
      (
        await rows(
          `SELECT CASE WHEN product_key IS NULL THEN '(unknown)' ELSE coalesce(category_name, '(none)') END AS category,
             CAST(sum(revenue) AS DECIMAL(18, 2))::VARCHAR AS revenue FROM (${sales}) GROUP BY category`,
        )
      ).map((row) => [String(row.category), money(row.revenue)]),
    ),
    orders_by_status: sortedRecord(
      (await rows("SELECT order_status, count(*) AS n FROM fact_orders GROUP BY order_status")).map((row) => [
        String(row.order_status),
        Number(row.n),
      ]),
    ),
    payments: {
      count: mix.reduce((s, row) => s + Number(row.n), 0),
      total: (mix.reduce((s, row) => s + Math.round(Number(row.total) * 100), 0) / 100).toFixed(2),
      by_type: sortedRecord(
        mix.map((row) => [String(row.payment_type), { count: Number(row.n), total: money(row.total) }]),
      ),
    },
  };
};

/** One line per table: what went in and what came out. */
export const describeFloor = (result: FloorResult): string[] => [
  `floor: ${result.seconds}s to queryable (${result.seconds_with_summary}s with the summary) on ${result.threads} threads (${Object.entries(
    result.phases,
  )
    .map(([name, s]) => `${name} ${s}s`)
    .join(", ")}); load before ${result.load_average_before.join(" ")}`,
  `input: ${result.input.files} files, ${(result.input.bytes / 1e6).toFixed(2)} MB, ${result.input.rows_read} rows read${
    result.input.unsupported_files.length > 0
      ? `, ${result.input.unsupported_files.length} files not read`
      : ""
  }`,
  ...Object.entries(result.sources).map(
    ([name, c]) =>
      `  source ${name}: ${c.files} files, ${c.rows_read} rows read -> ${c.curated} curated, rejected ${JSON.stringify(c.rejected)}${c.gated.length > 0 ? ` (gated: ${c.gated.join(", ")})` : ""}`,
  ),
  ...Object.entries(result.entities).map(
    ([name, c]) => `  entity ${name}: ${c.rows_in} in -> ${c.duplicates} duplicates -> ${c.rows_out} out`,
  ),
  ...Object.entries(result.star).map(
    ([name, c]) => `  star ${name}: ${c.rows} rows${c.keys !== undefined ? ` (${c.keys} keys)` : ""}`,
  ),
];

const main = async () => {
  const { values } = parseArgs({
    options: {
      dir: { type: "string" },
      bundle: { type: "string", default: ".build/contracts.bundle.json" },
      orders: { type: "string" },
      days: { type: "string", default: "10" },
      seed: { type: "string", default: "1" },
      threads: { type: "string" },
      gate: { type: "string", default: "run" },
      json: { type: "boolean", default: false },
    },
  });
  const bundle = JSON.parse(await readFile(values.bundle, "utf8")) as ContractBundle;
  let dir = values.dir;
  let scratch: string | undefined;
  let truth: ExpectedStar | undefined;
  if (!dir) {
    if (!values.orders) throw new Error("floor: give --dir <raw dir> or --orders N to generate one");
    const { generateDataset } = await import("../../src/generator/index.js");
    const dataset = generateDataset({
      orders: Number(values.orders),
      days: Number(values.days),
      seed: Number(values.seed),
      expectedRows: false,
    });
    scratch = await mkdtemp(join(tmpdir(), "pipeline-floor-"));
    await writeDatasetFiles(dataset.files, join(scratch, "raw"));
    dir = join(scratch, "raw");
    truth = dataset.truth;
  } else {
    // A generator output dir holds raw/ and expected/truth.json.
    const rawChild = join(dir, "raw");
    const truthFile = join(dir, "expected", "truth.json");
    if (
      await stat(rawChild)
        .then((s) => s.isDirectory())
        .catch(() => false)
    ) {
      truth = await readFile(truthFile, "utf8")
        .then((text) => JSON.parse(text) as ExpectedStar)
        .catch(() => undefined);
      dir = rawChild;
    }
  }
  try {
    const result = await runFloor({
      rawDir: dir,
      bundle,
      gateBy: values.gate === "day" ? "day" : "run",
      ...(values.threads ? { threads: Number(values.threads) } : {}),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${describeFloor(result).join("\n")}\n`);
    if (truth) {
      const check = compareWithTruth(result.snapshot, truth);
      process.stdout.write(
        `star summary = generator truth: ${check.matches}${check.matches ? "" : `\n  ${check.differences.slice(0, 20).join("\n  ")}`}\n`,
      );
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
};

/** Writes raw files (key + content) under `rawDir`, as they are dropped into the raw bucket. */
export const writeDatasetFiles = async (
  files: readonly { key: string; content: Buffer }[],
  rawDir: string,
): Promise<void> => {
  const { mkdir } = await import("node:fs/promises");
  const dirs = new Set(files.map((f) => dirname(join(rawDir, f.key))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  for (const file of files) await writeFile(join(rawDir, file.key), file.content);
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
