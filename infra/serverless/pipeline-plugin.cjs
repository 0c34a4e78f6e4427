// Project plugin for serverless.yml (osls, Serverless Framework v3 and v4). It guards packaging and deploys and
// uploads the deploy-time artifacts:
//   - only the cloud stages (dev, prod) are packaged or deployed; `local` is the embedded stage;
//   - every function's handler file must exist. For template tests only, PIPELINE_ALLOW_MISSING_HANDLERS=1
//     packages a missing one from a placeholder that throws, so the wiring can be checked before every handler
//     lands; test/infra fails on each placeholder, and a deploy refuses them;
//   - a deploy refuses the INVOKE_LOCAL_* overrides that exist for `serverless invoke local` only, and refuses
//     to start unless the artifacts to upload have been built;
//   - after a deploy, custom.artifacts.files are uploaded to the bucket named by the stack output
//     custom.artifacts.bucketOutput (Spark job, its zip, the contracts bundle).
const { existsSync, readFileSync } = require("node:fs");
const path = require("node:path");

const CLOUD_STAGES = ["dev", "prod"];
const HANDLER_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];
const PLACEHOLDER_HANDLER = "test/infra/fixtures/missing-handler.handler";
const ALLOW_MISSING_ENV = "PIPELINE_ALLOW_MISSING_HANDLERS";
const LOCAL_OVERRIDE_PREFIX = "INVOKE_LOCAL_";

class PipelineConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = "PipelineConfigError";
  }
}

/** The handler file a `path/to/file.export` handler string points at, or undefined when none exists. */
function findHandlerFile(serviceDir, handler) {
  const base = handler.slice(0, handler.lastIndexOf("."));
  for (const ext of HANDLER_EXTENSIONS) {
    const candidate = path.join(serviceDir, `${base}${ext}`);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Names of the functions whose handler file does not exist. */
function missingHandlers(serviceDir, functions) {
  return Object.entries(functions)
    .filter(([, fn]) => fn.handler && !findHandlerFile(serviceDir, fn.handler))
    .map(([name]) => name);
}

function assertCloudStage(stage) {
  if (!CLOUD_STAGES.includes(stage)) {
    throw new PipelineConfigError(
      `stage "${stage}" is not deployable: the cloud stages are ${CLOUD_STAGES.join(", ")} ` +
        "(local runs embedded: `pipeline demo --stage local`)",
    );
  }
}

function localOverridesSet(env) {
  return Object.keys(env)
    .filter((name) => name.startsWith(LOCAL_OVERRIDE_PREFIX))
    .sort();
}

/** Uploads each artifact to the bucket named by the stack output; returns the S3 keys written. */
async function uploadArtifacts({ cloudFormation, s3, stackName, bucketOutput, files, serviceDir, log }) {
  const { DescribeStacksCommand } = require("@aws-sdk/client-cloudformation");
  const { PutObjectCommand } = require("@aws-sdk/client-s3");
  const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = described.Stacks?.[0]?.Outputs ?? [];
  const bucket = outputs.find((output) => output.OutputKey === bucketOutput)?.OutputValue;
  if (!bucket) {
    throw new PipelineConfigError(
      `stack ${stackName} has no output ${bucketOutput}: cannot upload artifacts`,
    );
  }
  const written = [];
  for (const file of files) {
    const body = readFileSync(path.join(serviceDir, file.source));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: body }));
    log(`uploaded ${file.source} to s3://${bucket}/${file.key}`);
    written.push(file.key);
  }
  return written;
}

/**
 * The top-level `build` key of Serverless Framework v4 (`build.esbuild: false` turns its own bundling off; the
 * project bundles with serverless-esbuild). osls (v3's schema) does not know the key and rejects the file, so the
 * plugin declares it there; v4 knows it already and is left alone.
 */
function declareV4BuildKey(serverless) {
  const handler = serverless?.configSchemaHandler;
  if (!handler?.schema?.properties || handler.schema.properties.build) return false;
  handler.defineTopLevelProperty("build", {
    type: "object",
    properties: { esbuild: { anyOf: [{ type: "boolean" }, { type: "object" }] } },
    additionalProperties: true,
  });
  return true;
}

class PipelinePlugin {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.options = options ?? {};
    this.log = utils?.log ?? ((message) => console.log(message));
    declareV4BuildKey(serverless);
    this.hooks = {
      "before:package:initialize": () => this.beforePackage(),
      "before:deploy:deploy": () => this.beforeDeploy(),
      "after:deploy:deploy": () => this.afterDeploy(),
    };
  }

  get serviceDir() {
    return this.serverless.serviceDir ?? this.serverless.config.servicePath;
  }

  get stage() {
    return this.serverless.getProvider("aws").getStage();
  }

  get artifactsConfig() {
    return this.serverless.service.custom?.artifacts ?? { files: [] };
  }

  beforePackage() {
    assertCloudStage(this.stage);
    const functions = this.serverless.service.functions ?? {};
    const missing = missingHandlers(this.serviceDir, functions);
    if (missing.length === 0) return;
    if (process.env[ALLOW_MISSING_ENV] !== "1") {
      throw new PipelineConfigError(`no handler file for function(s): ${missing.join(", ")}`);
    }
    for (const name of missing) {
      functions[name].handler = PLACEHOLDER_HANDLER;
    }
    (this.log.warning ?? this.log)(
      `packaging placeholder handlers (${ALLOW_MISSING_ENV}=1) for: ${missing.join(", ")}`,
    );
  }

  beforeDeploy() {
    assertCloudStage(this.stage);
    const overrides = localOverridesSet(process.env);
    if (overrides.length > 0) {
      throw new PipelineConfigError(`unset ${overrides.join(", ")}: they exist for invoke local only`);
    }
    const placeholders = Object.entries(this.serverless.service.functions ?? {})
      .filter(([, fn]) => fn.handler === PLACEHOLDER_HANDLER)
      .map(([name]) => name);
    if (placeholders.length > 0) {
      throw new PipelineConfigError(
        `refusing to deploy placeholder handlers for: ${placeholders.join(", ")}`,
      );
    }
    const absent = this.artifactsConfig.files.filter(
      (file) => !existsSync(path.join(this.serviceDir, file.source)),
    );
    if (absent.length > 0) {
      throw new PipelineConfigError(
        `build the deploy artifacts first (make setup spark-package): missing ${absent.map((f) => f.source).join(", ")}`,
      );
    }
  }

  async afterDeploy() {
    const { CloudFormationClient } = require("@aws-sdk/client-cloudformation");
    const { S3Client } = require("@aws-sdk/client-s3");
    const provider = this.serverless.getProvider("aws");
    const profile = this.options["aws-profile"] ?? provider.getProfile?.();
    if (profile) process.env.AWS_PROFILE = profile;
    const region = provider.getRegion();
    await uploadArtifacts({
      cloudFormation: new CloudFormationClient({ region }),
      s3: new S3Client({ region }),
      stackName: provider.naming.getStackName(),
      bucketOutput: this.artifactsConfig.bucketOutput,
      files: this.artifactsConfig.files,
      serviceDir: this.serviceDir,
      log: (message) => (this.log.notice ?? this.log)(message),
    });
  }
}

module.exports = PipelinePlugin;
module.exports.PipelineConfigError = PipelineConfigError;
module.exports.missingHandlers = missingHandlers;
module.exports.assertCloudStage = assertCloudStage;
module.exports.localOverridesSet = localOverridesSet;
module.exports.uploadArtifacts = uploadArtifacts;
module.exports.PLACEHOLDER_HANDLER = PLACEHOLDER_HANDLER;
