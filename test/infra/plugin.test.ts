import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

interface FunctionConfig {
  handler: string;
}
interface SentCommand {
  readonly command: string;
  readonly input: Record<string, unknown>;
}
interface FakeClient {
  readonly sent: SentCommand[];
  send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown>;
}
interface ArtifactFile {
  source: string;
  key: string;
}
interface PluginModule {
  new (
    serverless: unknown,
    options: Record<string, unknown>,
    utils: { log: (message: string) => void },
  ): {
    hooks: Record<string, () => unknown>;
  };
  missingHandlers(serviceDir: string, functions: Record<string, FunctionConfig>): string[];
  uploadArtifacts(args: {
    cloudFormation: FakeClient;
    s3: FakeClient;
    stackName: string;
    bucketOutput: string;
    files: ArtifactFile[];
    serviceDir: string;
    log: (message: string) => void;
  }): Promise<string[]>;
  PLACEHOLDER_HANDLER: string;
}

const Plugin = createRequire(import.meta.url)("../../infra/serverless/pipeline-plugin.cjs") as PluginModule;

const fakeClient = (reply: (command: string) => unknown): FakeClient => {
  const sent: SentCommand[] = [];
  return {
    sent,
    async send(command) {
      sent.push({ command: command.constructor.name, input: command.input });
      return reply(command.constructor.name);
    },
  };
};

let dir: string;
const ARTIFACTS: ArtifactFile[] = [
  { source: ".build/spark/job.py", key: "spark/job.py" },
  { source: ".build/contracts.bundle.json", key: "contracts/contracts.bundle.json" },
];

const writeFile = (rel: string, content: string) => {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), content);
};

/** A plugin over a fake serverless instance whose service lives in the temporary directory. */
const plugin = (stage: string, functions: Record<string, FunctionConfig>) => {
  const serverless = {
    serviceDir: dir,
    service: { functions, custom: { artifacts: { bucketOutput: "ArtifactsBucketName", files: ARTIFACTS } } },
    getProvider: () => ({ getStage: () => stage }),
  };
  const log = Object.assign(() => undefined, { warning: () => undefined, notice: () => undefined });
  return new Plugin(serverless, {}, { log });
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pipeline-plugin-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env.PIPELINE_ALLOW_MISSING_HANDLERS;
  delete process.env.INVOKE_LOCAL_STATE_MACHINE_ARN;
});

describe("pipeline-plugin: packaging guard", () => {
  it("names the functions whose handler file is missing", () => {
    writeFile("functions/trigger/handler.ts", "export const handler = 1;");
    const missing = Plugin.missingHandlers(dir, {
      trigger: { handler: "functions/trigger/handler.handler" },
      merge: { handler: "functions/merge/handler.handler" },
    });
    expect(missing).toEqual(["merge"]);
  });

  it("refuses to package the local stage", () => {
    expect(() => plugin("local", {}).hooks["before:package:initialize"]?.()).toThrow(
      /stage "local" is not deployable/,
    );
  });

  it("fails packaging on a missing handler unless placeholders are allowed, and then uses the placeholder", () => {
    const functions = { merge: { handler: "functions/merge/handler.handler" } };
    expect(() => plugin("dev", functions).hooks["before:package:initialize"]?.()).toThrow(
      "no handler file for function(s): merge",
    );
    process.env.PIPELINE_ALLOW_MISSING_HANDLERS = "1";
    plugin("dev", functions).hooks["before:package:initialize"]?.();
    expect(functions.merge.handler).toBe(Plugin.PLACEHOLDER_HANDLER);
  });
});

describe("pipeline-plugin: deploy guard", () => {
  const ready = () => {
    writeFile(".build/spark/job.py", "print('job')");
    writeFile(".build/contracts.bundle.json", "{}");
  };

  it("refuses to deploy a placeholder handler", () => {
    ready();
    const deploy = plugin("prod", { merge: { handler: Plugin.PLACEHOLDER_HANDLER } }).hooks[
      "before:deploy:deploy"
    ];
    expect(() => deploy?.()).toThrow("refusing to deploy placeholder handlers for: merge");
  });

  it("refuses to deploy with an invoke-local override set", () => {
    ready();
    process.env.INVOKE_LOCAL_STATE_MACHINE_ARN = "arn:aws:states:local:000000000000:stateMachine:x";
    expect(() => plugin("dev", {}).hooks["before:deploy:deploy"]?.()).toThrow(
      /unset INVOKE_LOCAL_STATE_MACHINE_ARN/,
    );
  });

  it("refuses to deploy before the artifacts are built, naming them", () => {
    writeFile(".build/contracts.bundle.json", "{}");
    expect(() => plugin("dev", {}).hooks["before:deploy:deploy"]?.()).toThrow(
      /missing \.build\/spark\/job\.py$/,
    );
  });

  it("lets a complete dev or prod deploy through", () => {
    ready();
    writeFile("functions/merge/handler.ts", "export const handler = 1;");
    expect(() =>
      plugin("prod", { merge: { handler: "functions/merge/handler.handler" } }).hooks[
        "before:deploy:deploy"
      ]?.(),
    ).not.toThrow();
  });
});

describe("pipeline-plugin: artifact upload after deploy", () => {
  it("uploads each artifact to the bucket named by the stack output", async () => {
    writeFile(".build/spark/job.py", "print('job')");
    writeFile(".build/contracts.bundle.json", '{"bundle_version":1}');
    const cloudFormation = fakeClient(() => ({
      Stacks: [
        { Outputs: [{ OutputKey: "ArtifactsBucketName", OutputValue: "sales-pipeline-dev-artifacts-x" }] },
      ],
    }));
    const s3 = fakeClient(() => ({}));
    const keys = await Plugin.uploadArtifacts({
      cloudFormation,
      s3,
      stackName: "sales-pipeline-dev",
      bucketOutput: "ArtifactsBucketName",
      files: ARTIFACTS,
      serviceDir: dir,
      log: () => undefined,
    });
    expect(keys).toEqual(["spark/job.py", "contracts/contracts.bundle.json"]);
    expect(cloudFormation.sent).toEqual([
      { command: "DescribeStacksCommand", input: { StackName: "sales-pipeline-dev" } },
    ]);
    expect(
      s3.sent.map((c) => ({
        ...c,
        input: { ...c.input, Body: Buffer.from(c.input.Body as Buffer).toString() },
      })),
    ).toEqual([
      {
        command: "PutObjectCommand",
        input: { Bucket: "sales-pipeline-dev-artifacts-x", Key: "spark/job.py", Body: "print('job')" },
      },
      {
        command: "PutObjectCommand",
        input: {
          Bucket: "sales-pipeline-dev-artifacts-x",
          Key: "contracts/contracts.bundle.json",
          Body: '{"bundle_version":1}',
        },
      },
    ]);
  });

  it("fails clearly when the stack has no artifacts-bucket output", async () => {
    const cloudFormation = fakeClient(() => ({ Stacks: [{ Outputs: [] }] }));
    await expect(
      Plugin.uploadArtifacts({
        cloudFormation,
        s3: fakeClient(() => ({})),
        stackName: "sales-pipeline-dev",
        bucketOutput: "ArtifactsBucketName",
        files: ARTIFACTS,
        serviceDir: dir,
        log: () => undefined,
      }),
    ).rejects.toThrow("stack sales-pipeline-dev has no output ArtifactsBucketName");
  });
});

// Issue 13: serverless.yml sets Serverless Framework v4's `build.esbuild: false`; osls must accept the key.
describe("pipeline-plugin: the v4 build key", () => {
  const withSchema = (properties: Record<string, unknown>) => {
    const defined: [string, unknown][] = [];
    const serverless = {
      serviceDir: dir,
      service: { functions: {}, custom: {} },
      getProvider: () => ({ getStage: () => "dev" }),
      configSchemaHandler: {
        schema: { properties },
        defineTopLevelProperty: (name: string, schema: unknown) => {
          defined.push([name, schema]);
          properties[name] = schema;
        },
      },
    };
    new Plugin(serverless, {}, { log: () => undefined });
    return defined;
  };

  it("declares `build` to a schema that lacks it (osls), accepting esbuild: false", () => {
    const defined = withSchema({ service: {} });
    expect(defined.map(([name]) => name)).toEqual(["build"]);
    expect(defined[0]?.[1]).toMatchObject({
      type: "object",
      properties: { esbuild: { anyOf: [{ type: "boolean" }, { type: "object" }] } },
    });
  });

  it("leaves a schema that knows `build` alone (v4)", () => {
    expect(withSchema({ build: { type: "object" } })).toEqual([]);
  });

  it("sets build.esbuild to false in serverless.yml", () => {
    const yml = readFileSync(path.join(process.cwd(), "serverless.yml"), "utf8");
    expect(yml).toMatch(/^build:\n {2}esbuild: false$/m);
  });
});
