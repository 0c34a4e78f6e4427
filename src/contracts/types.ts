import type { EntityColumnType } from "./entities.js";
import type { FileFormat, QualityRule } from "./schema.js";

/** One entity column as a feed produces it: `CAST((expression) AS type) AS column`. */
export interface CompiledSelect {
  readonly column: string;
  readonly type: EntityColumnType;
  readonly nullable: boolean;
  readonly expression: string;
}

export interface CompiledFeed {
  readonly entity: string;
  readonly key: readonly string[];
  readonly filter: string | null;
  readonly select: readonly CompiledSelect[];
}

export type CompiledRule = QualityRule & { readonly name: string; readonly row_level: boolean };

export interface CompiledSource {
  readonly source: string;
  readonly description: string | null;
  readonly formats: readonly FileFormat[];
  /** File-name endings this source accepts, longest match wins (`.csv.gz` before `.csv`). */
  readonly extensions: readonly string[];
  readonly csv: {
    readonly header: boolean;
    readonly delimiter: string;
    readonly quote: string;
    readonly escape: string;
    readonly encoding: string;
    /** Quoted fields may span lines (records are joined); off: such a line is malformed. */
    readonly multiline: boolean;
  } | null;
  readonly null_values: readonly string[];
  readonly columns: readonly {
    readonly name: string;
    readonly type: string;
    readonly format: string | null;
    readonly required: boolean;
    /** Most bytes a value may have (declared in the contract); longer values are too_long. */
    readonly max_length?: number;
  }[];
  readonly event_time: string | null;
  /**
   * Where an object's batch date comes from: the key's `dt=` folder, a pattern on the file name, or the latest
   * date in a column (read by `pipeline drop`, which files the object under that `dt=` folder).
   */
  readonly batch_date:
    | { readonly from: "key"; readonly pattern: null }
    | { readonly from: "file_name"; readonly pattern: string }
    | { readonly from: "column"; readonly column: string };
  readonly feeds: readonly CompiledFeed[];
  readonly quality: readonly CompiledRule[];
}

export interface ContractBundle {
  readonly bundle_version: 1;
  readonly checksum: string;
  readonly entities: Record<
    string,
    {
      readonly key: readonly string[];
      readonly dedupe_key: readonly string[];
      readonly columns: readonly {
        name: string;
        type: EntityColumnType;
        nullable: boolean;
        default?: string;
        /** Warehouse width in bytes (text columns); a longer value is quarantined as too_long. */
        max_length?: number;
        /** Added by a later migration: written after the lineage columns (see curated_columns). */
        appended?: boolean;
      }[];
      /** The curated files' columns in order, which is the staging table's column order (COPY maps by position). */
      readonly curated_columns: readonly { name: string; type: EntityColumnType }[];
    }
  >;
  readonly lineage_columns: readonly string[];
  readonly curated_lineage_columns: readonly string[];
  readonly quarantine_reasons: readonly string[];
  readonly sources: Record<string, CompiledSource>;
}
