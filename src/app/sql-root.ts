import { join } from "node:path";

/**
 * Where the SQL files are: packaged next to the handler in Lambda (docs/deploy.md), the repository's sql/ for
 * the CLI; `SQL_ROOT` overrides both.
 */
export const sqlRoot = (): string =>
  process.env.SQL_ROOT ?? join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), "sql");
