import { beforeAll, describe, expect, it } from "vitest";
import { RUN_METRICS, SOURCE_QUALITY_METRIC } from "../../src/core/run-metrics.js";
import {
  PACKAGE_TIMEOUT_MS,
  packagedTemplate,
  prop,
  resource,
  resourcesOfType,
  STAGES,
  show,
  type Template,
} from "./support/template.js";

type MetricRow = (string | Record<string, unknown>)[];
interface Widget {
  readonly type: string;
  readonly properties: { readonly title: string; readonly region: string; readonly metrics: MetricRow[] };
}

/**
 * The dashboard body with its Fn::Sub variables filled in: each variable as the template gives it (a Ref or GetAtt
 * shown as `Ref(X)` / `GetAtt(X.Attr)`, a literal as itself) and AWS::Region as `REGION`.
 */
const dashboardBody = (template: Template): { widgets: Widget[] } => {
  const [text, variables] = prop(
    resource(template, "PipelineDashboard"),
    "Properties.DashboardBody.Fn::Sub",
  ) as [string, Record<string, unknown>];
  const filled = text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === "AWS::Region") return "REGION";
    if (!(name in variables)) throw new Error(`dashboard body: no value for \${${name}}`);
    return show(variables[name]);
  });
  return JSON.parse(filled) as { widgets: Widget[] };
};

/** The expression of a metric row that is one (`[{ expression, id }]`). */
const expressionOf = (row: MetricRow | undefined): string =>
  String((row?.[0] as { expression?: string } | undefined)?.expression);

/** A metric row with "." repeated from the row above, as the dashboard reads it. */
const expand = (rows: MetricRow[]): MetricRow[] => {
  const out: MetricRow[] = [];
  for (const row of rows) {
    const previous = out.at(-1) ?? [];
    if (row[0] === "...") {
      out.push([...previous.filter((cell) => typeof cell === "string"), ...row.slice(1)]);
      continue;
    }
    out.push(row.map((cell, i) => (cell === "." ? (previous[i] as string) : cell)));
  }
  return out;
};

describe.each(STAGES)("the CloudWatch dashboard in the %s template", (stage) => {
  let template: Template;
  let widgets: Widget[];
  beforeAll(() => {
    template = packagedTemplate(stage);
    widgets = dashboardBody(template).widgets;
  }, PACKAGE_TIMEOUT_MS);

  const rowsOf = (title: string): MetricRow[] => {
    const widget = widgets.find((w) => w.properties.title.startsWith(title));
    if (!widget) throw new Error(`no widget titled ${title}`);
    return expand(widget.properties.metrics);
  };
  const named = (rows: MetricRow[]) =>
    rows
      .filter((row) => typeof row[0] === "string")
      .map((row) => row.filter((cell) => typeof cell === "string").join(" "));

  it("is one dashboard named after the stage, in the stack's region", () => {
    expect(resourcesOfType(template, "AWS::CloudWatch::Dashboard").map(([id]) => id)).toEqual([
      "PipelineDashboard",
    ]);
    expect(prop(resource(template, "PipelineDashboard"), "Properties.DashboardName")).toBe(
      `sales-pipeline-${stage}`,
    );
    expect(widgets.map((w) => w.properties.title)).toEqual([
      "Runs (executions per hour)",
      "Failures",
      "Rows per step (per day)",
      "Data-quality failures by source (failing runs per day)",
      "Load latency: seconds waited for auto-copy per run, and run duration",
    ]);
    expect(new Set(widgets.map((w) => w.properties.region))).toEqual(new Set(["REGION"]));
  });

  it("counts the state machine's executions by outcome", () => {
    expect(named(rowsOf("Runs"))).toEqual(
      ["Started", "Succeeded", "Failed", "TimedOut", "Aborted"].map(
        (outcome) => `AWS/States Executions${outcome} StateMachineArn Ref(PipelineStateMachine)`,
      ),
    );
  });

  it("sums the errors of every function of the stack, with failed executions, unrecorded runs and the DLQ", () => {
    const rows = rowsOf("Failures");
    const functions = resourcesOfType(template, "AWS::Lambda::Function")
      .map(([, fn]) => String(prop(fn, "Properties.FunctionName")))
      .sort();
    const errorRows = rows.filter((row) => row[1] === "Errors");
    expect(errorRows.map((row) => row[3]).sort()).toEqual(functions);
    const ids = errorRows.map((row) => (row[4] as { id: string }).id);
    expect(expressionOf(rows[0])).toBe(`SUM([${ids.join(",")}])`);
    expect(named(rows).filter((row) => !row.startsWith("AWS/Lambda"))).toEqual([
      "AWS/States ExecutionsFailed StateMachineArn Ref(PipelineStateMachine)",
      `SalesPipeline/${stage} RunRecordFailures service record-run`,
      "AWS/SQS ApproximateNumberOfMessagesVisible QueueName GetAtt(RawEventsDeadLetterQueue.QueueName)",
    ]);
  });

  it("draws rows per step and the load wait from the metrics record-run emits (src/core/run-metrics.ts)", () => {
    expect(named(rowsOf("Rows per step"))).toEqual(
      [
        RUN_METRICS.rowsRead,
        RUN_METRICS.rowsCurated,
        RUN_METRICS.rowsQuarantined,
        RUN_METRICS.rowsLoaded,
        RUN_METRICS.rowsMerged,
      ].map((name) => `SalesPipeline/${stage} ${name} service record-run`),
    );
    expect(named(rowsOf("Load latency"))).toEqual([
      `SalesPipeline/${stage} ${RUN_METRICS.loadWaitSeconds} service record-run`,
      `SalesPipeline/${stage} ${RUN_METRICS.loadWaitSeconds} service record-run`,
      "AWS/States ExecutionTime StateMachineArn Ref(PipelineStateMachine)",
    ]);
  });

  it("splits data-quality failures by source with check-quality's per-source metric", () => {
    const rows = rowsOf("Data-quality failures by source");
    expect(expressionOf(rows[0])).toBe(
      `SEARCH('{"SalesPipeline/${stage}",service,source} MetricName="${SOURCE_QUALITY_METRIC}"', 'Sum', 86400)`,
    );
    expect(named(rows)).toEqual([`SalesPipeline/${stage} DataQualityFailures service check-quality`]);
  });
});
