import { randomUUID } from "node:crypto";
import { isRunId } from "../documents/run-id.js";
import { ValidationError } from "../errors.js";
import type { LoadedObject } from "../ports/warehouse.js";
import type { SqlFiles, SqlStatement } from "./sql-files.js";
import { replaceParameters, stripComments } from "./sql-text.js";

/** BatchExecuteStatement runs at most 40 statements as one transaction. */
export const MAX_TRANSACTION_STATEMENTS = 40;

/** Throws a `ValidationError` unless `runId` is a valid run id (= execution name). */
export const validateRunId = (runId: string): string => {
  if (!isRunId(runId)) {
    throw new ValidationError(`run id must be 1-80 letters, digits, '-' or '_': ${JSON.stringify(runId)}`);
  }
  return runId;
};

/**
 * The statements of one run's merge, in order: the files of `sql/merge/`, sorted by name. The first locks every
 * target, the rest take the run id as `:run_id`. Fits one BatchExecuteStatement (one transaction).
 *
 * @example
 *   const statements = await mergePlan(new SqlFiles("sql")); // 34 statements, merge/000_lock_targets.sql first
 */
export const mergePlan = async (files: SqlFiles): Promise<SqlStatement[]> => {
  const statements: SqlStatement[] = await files.folder("merge");
  if (statements.length === 0 || statements.length > MAX_TRANSACTION_STATEMENTS) {
    throw new ValidationError(
      `sql/merge must hold 1..${MAX_TRANSACTION_STATEMENTS} statements (one transaction), found ${statements.length}`,
    );
  }
  if (!/^\s*LOCK\b/i.test(stripComments(statements[0]?.sql ?? ""))) {
    throw new ValidationError(`the first merge statement must lock the targets: ${statements[0]?.name}`);
  }
  return statements;
};

/** The merge step that records the run's file versions: its `run_objects` CTE is a one-row template. */
const SOURCE_OBJECTS_STEP = /\/005_core_source_objects\.sql$/;
const TEMPLATE_ROW = /(WITH\s+run_objects\s+AS\s*\()([\s\S]*?)(\n\))/i;

/**
 * One run's merge: the statements of `mergePlan`, with the step that records the run's file versions
 * (`merge/005_core_source_objects.sql`) given one row per loaded object (parameters `:o<n>_source_file`,
 * `:o<n>_entity_name`, `:o<n>_version`, rows joined by UNION ALL) or left out when there is none, and the
 * parameters to run them with.
 *
 * @example
 *   const { statements, params } = await boundMergePlan(files, runId, [{ sourceFile, entity: "orders", version }]);
 *   await engine.transaction(statements, params, `merge:${runId}`);
 */
export const boundMergePlan = async (
  files: SqlFiles,
  runId: string,
  objects: readonly LoadedObject[],
): Promise<{ statements: SqlStatement[]; params: Record<string, string> }> => {
  // Each merge has its own id: the steps act on the file versions this merge recorded, so merging a run again
  // (its staging rows already cleared) neither deletes nor adds rows.
  const params: Record<string, string> = { run_id: validateRunId(runId), merge_id: randomUUID() };
  const statements: SqlStatement[] = [];
  for (const statement of await mergePlan(files)) {
    if (!SOURCE_OBJECTS_STEP.test(statement.name)) {
      statements.push(statement);
      continue;
    }
    if (objects.length === 0) continue;
    const code = stripComments(statement.sql);
    const template = TEMPLATE_ROW.exec(code);
    if (!template)
      throw new ValidationError(`${statement.name}: expected a WITH run_objects AS (<row>) template`);
    // The first row keeps the template's casts and names (they type the union); the others are bare parameters,
    // so that a run of many files stays far below the Data API's 100 KB statement size.
    const names: string[] = [];
    const rows = objects.map((object, index) => {
      const values: Record<string, string> = {
        source_file: object.sourceFile,
        entity_name: object.entity,
        version: object.version,
      };
      const first = replaceParameters(template[2] as string, (name) => {
        if (name === "run_id") return ":run_id";
        const value = values[name];
        if (value === undefined) throw new ValidationError(`${statement.name}: no value for :${name}`);
        if (index === 0) names.push(name);
        params[`o${index}_${name}`] = value;
        return `:o${index}_${name}`;
      });
      return index === 0 ? first : `\n    SELECT ${names.map((name) => `:o${index}_${name}`).join(", ")}`;
    });
    const sql = code.replace(TEMPLATE_ROW, (_all, open: string, _row: string, close: string) => {
      return `${open}${rows.join("\n    UNION ALL")}${close}`;
    });
    statements.push({ name: statement.name, sql });
  }
  return { statements, params };
};
