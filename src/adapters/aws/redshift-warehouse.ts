import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  type ColumnMetadata,
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  ExecuteStatementCommand,
  type Field,
  GetStatementResultCommand,
  type RedshiftDataClient,
} from "@aws-sdk/client-redshift-data";
import { TransientError, ValidationError } from "../../errors.js";
import type { CopyJobSpec, Row, SqlParams } from "../../ports/warehouse.js";
import { WarehouseOutcomeUnknownError, WarehouseTimeoutError } from "../../warehouse/errors.js";
import { MAX_TRANSACTION_STATEMENTS } from "../../warehouse/merge-plan.js";
import { SqlFiles, type SqlStatement } from "../../warehouse/sql-files.js";
import { SqlWarehouse } from "../../warehouse/sql-warehouse.js";
import { asTransient } from "./errors.js";
import {
  DEFAULT_POLL,
  dataApiParameters,
  type PollOptions,
  statementFailure,
  toRows,
} from "./redshift-statements.js";

export interface RedshiftWarehouseOptions {
  readonly client: RedshiftDataClient;
  /** The Redshift Serverless workgroup (name or ARN). */
  readonly workgroupName: string;
  readonly database: string;
  /**
   * A Secrets Manager secret holding the database user, when the function should act as that user (e.g. the
   * migration, as the objects' owner). Without it the Data API uses IAM temporary credentials: user IAMR:<role>.
   */
  readonly secretArn?: string;
  /** The `sql/` directory (in Lambda, packaged next to the handler). */
  readonly sqlRoot: string;
  /**
   * The Data API client of the user who must OWN the COPY JOBs (IAM authentication as the loader role, no secret):
   * when given, ensureCopyJob checks for and creates each job as that user, so that the loader (AwaitLoad) sees
   * the jobs' load history as its own rows. Without it, the jobs belong to this warehouse's user.
   */
  readonly copyJobClient?: RedshiftDataClient;
  readonly poll?: Partial<PollOptions>;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

const COPY_JOB_EXISTS: SqlStatement = {
  name: "copy-job/exists",
  sql: "SELECT TRIM(job_name) AS job_name FROM sys_copy_job WHERE TRIM(job_name) = :job_name",
};

/**
 * The warehouse on Redshift Serverless through the Redshift Data API: every statement is submitted, then
 * DescribeStatement is polled with backoff until it finishes; a merge is ONE BatchExecuteStatement (one
 * transaction, at most 40 statements); values always travel as named Parameters; StatementName carries the
 * work's label (`merge:<run_id>`, `migrate:<file>`), so the run id shows in SYS_QUERY_HISTORY.
 *
 * @example
 *   const warehouse = new RedshiftWarehouse({
 *     client: new RedshiftDataClient({}), workgroupName: "sales-dev", database: "sales", sqlRoot: "/var/task/sql",
 *   });
 *   await warehouse.merge("run-20170105-3f2a9c1e0b7d");
 */
export class RedshiftWarehouse extends SqlWarehouse {
  private readonly poll: PollOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private loader: RedshiftWarehouse | undefined;

  constructor(private readonly options: RedshiftWarehouseOptions) {
    super(new SqlFiles(options.sqlRoot), options.now);
    this.poll = { ...DEFAULT_POLL, ...options.poll };
    this.sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
  }

  async close(): Promise<void> {}

  async execute(statement: SqlStatement, params: SqlParams, label: string): Promise<void> {
    const id = await this.submit("ExecuteStatement", () =>
      this.options.client.send(
        new ExecuteStatementCommand({
          ...this.target(),
          Sql: statement.sql,
          StatementName: label,
          ...dataApiParameters([statement], params),
        }),
      ),
    );
    await this.wait(id, [statement], label);
  }

  async transaction(statements: readonly SqlStatement[], params: SqlParams, label: string): Promise<void> {
    if (statements.length === 0 || statements.length > MAX_TRANSACTION_STATEMENTS) {
      throw new ValidationError(
        `${label}: a transaction holds 1..${MAX_TRANSACTION_STATEMENTS} statements, got ${statements.length}`,
      );
    }
    const id = await this.submit("BatchExecuteStatement", () =>
      this.options.client.send(
        new BatchExecuteStatementCommand({
          ...this.target(),
          Sqls: statements.map((statement) => statement.sql),
          StatementName: label,
          ...dataApiParameters(statements, params),
        }),
      ),
    );
    await this.wait(id, statements, label);
  }

  async select(statement: SqlStatement, params: SqlParams, label: string): Promise<Row[]> {
    const id = await this.submit("ExecuteStatement", () =>
      this.options.client.send(
        new ExecuteStatementCommand({
          ...this.target(),
          Sql: statement.sql,
          StatementName: label,
          ...dataApiParameters([statement], params),
        }),
      ),
    );
    const described = await this.wait(id, [statement], label);
    if (!described.HasResultSet) return [];
    const rows: Row[] = [];
    let columns: ColumnMetadata[] = [];
    let token: string | undefined;
    do {
      const page = await this.send("GetStatementResult", () =>
        this.options.client.send(
          new GetStatementResultCommand({ Id: id, ...(token ? { NextToken: token } : {}) }),
        ),
      );
      if (page.ColumnMetadata) columns = page.ColumnMetadata;
      rows.push(...toRows(columns, (page.Records ?? []) as Field[][]));
      token = page.NextToken;
    } while (token);
    return rows;
  }

  /**
   * Creates the COPY JOB (a statement of its own: COPY JOB cannot run in a transaction) unless it exists, as the
   * copy-job owner when one is configured.
   */
  async ensureCopyJob(job: CopyJobSpec, label = `copy-job:${job.name}`): Promise<"created" | "exists"> {
    const { copyJobClient, secretArn: _secret, ...rest } = this.options;
    if (copyJobClient) {
      this.loader ??= new RedshiftWarehouse({ ...rest, client: copyJobClient, sleep: this.sleep });
      return this.loader.ensureCopyJob(job, label);
    }
    const found = await this.select(COPY_JOB_EXISTS, { job_name: job.name }, label);
    if (found.length > 0) return "exists";
    await this.execute({ name: `copy-job/${job.name}`, sql: job.sql }, {}, label);
    return "created";
  }

  private target(): { WorkgroupName: string; Database: string; SecretArn?: string } {
    const { workgroupName, database, secretArn } = this.options;
    return {
      WorkgroupName: workgroupName,
      Database: database,
      ...(secretArn ? { SecretArn: secretArn } : {}),
    };
  }

  private async submit(operation: string, call: () => Promise<{ Id?: string | undefined }>): Promise<string> {
    const output = await this.send(operation, call);
    if (!output.Id) throw new TransientError(`Redshift Data API ${operation} returned no statement id`);
    return output.Id;
  }

  /** Polls DescribeStatement until the statement (or batch) finishes; a failure names the failing statement. */
  private async wait(
    id: string,
    statements: readonly SqlStatement[],
    label: string,
  ): Promise<DescribeStatementCommandOutput> {
    const started = this.now().getTime();
    let delay = this.poll.initialDelayMs;
    for (;;) {
      const described = await this.send("DescribeStatement", () =>
        this.options.client.send(new DescribeStatementCommand({ Id: id })),
      );
      if (described.Status === "FINISHED") return described;
      if (described.Status === "FAILED" || described.Status === "ABORTED") {
        throw statementFailure(described, statements, label);
      }
      if (this.now().getTime() - started >= this.poll.timeoutMs) {
        return this.cancelAfterTimeout(id, statements, label);
      }
      await this.sleep(delay);
      delay = Math.min(this.poll.maxDelayMs, delay * this.poll.factor);
    }
  }

  /**
   * A statement outlived the budget: cancel it, then watch it stop, so that no caller gives up on a statement that
   * could still commit (a merge withdrawn by the failure path must not land later). Finished meanwhile: its result.
   * Cancelled (ABORTED/FAILED): WarehouseTimeoutError, retryable, nothing committed. Still running when the grace
   * ends: WarehouseOutcomeUnknownError.
   */
  private async cancelAfterTimeout(
    id: string,
    statements: readonly SqlStatement[],
    label: string,
  ): Promise<DescribeStatementCommandOutput> {
    try {
      await this.options.client.send(new CancelStatementCommand({ Id: id }));
    } catch {
      // Already finished or failed (the Data API refuses to cancel a statement that is not running): the
      // DescribeStatement below says which.
    }
    const started = this.now().getTime();
    let delay = this.poll.initialDelayMs;
    for (;;) {
      const described = await this.send("DescribeStatement", () =>
        this.options.client.send(new DescribeStatementCommand({ Id: id })),
      );
      if (described.Status === "FINISHED") return described;
      if (described.Status === "FAILED" || described.Status === "ABORTED") {
        throw new WarehouseTimeoutError(
          `${label}: statement ${id} did not finish within ${this.poll.timeoutMs} ms and was cancelled (nothing committed)`,
          { cause: statementFailure(described, statements, label) },
        );
      }
      if (this.now().getTime() - started >= this.poll.cancelGraceMs) {
        throw new WarehouseOutcomeUnknownError(
          `${label}: statement ${id} did not finish within ${this.poll.timeoutMs} ms and was still ` +
            `${described.Status ?? "unknown"} ${this.poll.cancelGraceMs} ms after CancelStatement; it may still commit`,
        );
      }
      await this.sleep(delay);
      delay = Math.min(this.poll.maxDelayMs, delay * this.poll.factor);
    }
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const name = (error as { name?: string } | undefined)?.name;
      if (name === "ActiveStatementsExceededException" || name === "ActiveSessionsExceededException") {
        throw new TransientError(`Redshift Data API ${operation}: ${name}`, { cause: error });
      }
      throw asTransient(error, `Redshift Data API ${operation}`);
    }
  }
}
