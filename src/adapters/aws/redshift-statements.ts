import type {
  ColumnMetadata,
  DescribeStatementCommandOutput,
  Field,
  SqlParameter,
} from "@aws-sdk/client-redshift-data";
import type { Row, SqlParams, SqlValue } from "../../ports/warehouse.js";
import { pickParams } from "../../warehouse/engine.js";
import { SerializationConflictError, WarehouseStatementError } from "../../warehouse/errors.js";
import type { SqlStatement } from "../../warehouse/sql-files.js";
import { parameterNames } from "../../warehouse/sql-text.js";

/** How DescribeStatement is polled: quickly at first, then backing off, within a budget. */
export interface PollOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /**
   * After this long the statement is cancelled (CancelStatement) and watched for `cancelGraceMs` more: it ends as
   * cancelled (WarehouseTimeoutError, retryable: nothing was committed), finished (success), or still running
   * (WarehouseOutcomeUnknownError). Keep timeoutMs + cancelGraceMs below the Lambda's timeout.
   */
  readonly timeoutMs: number;
  readonly cancelGraceMs: number;
}

export const DEFAULT_POLL: PollOptions = {
  initialDelayMs: 100,
  maxDelayMs: 2_000,
  factor: 2,
  timeoutMs: 540_000,
  cancelGraceMs: 10_000,
};

/**
 * The Data API's named parameters for the statements: only those some statement references (the Data API
 * rejects a parameter no statement uses), in order of first use; none at all when no statement has one.
 */
export const dataApiParameters = (
  statements: readonly SqlStatement[],
  params: SqlParams,
): { Parameters?: SqlParameter[] } => {
  const names = [...new Set(statements.flatMap((statement) => parameterNames(statement.sql)))];
  if (names.length === 0) return {};
  const values = pickParams(params, names);
  return { Parameters: names.map((name) => ({ name, value: values[name] as string })) };
};

/** Redshift's serialization failure: "ERROR: 1023 ... Serializable isolation violation on table ...". */
const SERIALIZATION = /serializable isolation violation|\b1023\b/i;

/**
 * The error a FAILED or ABORTED statement (or batch) stands for, naming the statement that failed: for a batch,
 * the sub-statement DescribeStatement reports as FAILED (`<id>:<n>`, 1-based).
 */
export const statementFailure = (
  described: Pick<DescribeStatementCommandOutput, "Status" | "Error" | "SubStatements">,
  statements: readonly SqlStatement[],
  label: string,
): Error => {
  let name = statements.length === 1 ? (statements[0]?.name ?? label) : label;
  let message = described.Error ?? `statement ${String(described.Status).toLowerCase()}`;
  const failed = described.SubStatements?.find((sub) => sub.Status === "FAILED" || sub.Status === "ABORTED");
  if (failed) {
    const index = Number(String(failed.Id).split(":").pop()) - 1;
    name = statements[index]?.name ?? `${label} statement ${index + 1}`;
    message = failed.Error ?? message;
  }
  if (described.Status === "ABORTED" && !failed) message = `aborted: ${message}`;
  if (SERIALIZATION.test(message)) return new SerializationConflictError(`${name}: ${message}`);
  return new WarehouseStatementError(name, message);
};

const fieldValue = (field: Field): SqlValue => {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString("base64");
  return null;
};

/** GetStatementResult records -> rows keyed by column name (numeric and timestamps arrive as text). */
export const toRows = (columns: readonly ColumnMetadata[], records: readonly Field[][]): Row[] =>
  records.map((record) => {
    const row: Record<string, SqlValue> = {};
    record.forEach((field, index) => {
      row[columns[index]?.name ?? `column_${index + 1}`] = fieldValue(field);
    });
    return row;
  });
