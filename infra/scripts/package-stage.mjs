#!/usr/bin/env node
// Packages one cloud stage offline into .build/infra/<stage>/ (CloudFormation template + one zip per function),
// unless the output is already there for exactly the current inputs. Used by scripts/test-infra.sh and by the
// template tests (test/infra), so `vitest run` alone works too.
//
//   node infra/scripts/package-stage.mjs --stage dev [--force]
//
// Nothing may reach AWS while packaging: fake credentials, every SDK endpoint points at a closed local port (any
// call fails at once), and where the machine allows it the packager runs in a network namespace with no network.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const STAGES = ["dev", "prod"];
const REAL_ASL = "state-machines/pipeline.asl.json";
const FIXTURE_ASL = "test/infra/fixtures/pipeline.asl.json";
// Parameters a real deploy takes on the command line; packaging for the checks uses stand-ins.
const STAGE_PARAMS = { dev: [], prod: ["alarmEmail=alarms@example.com"] };
const INPUTS = [
  "serverless.yml",
  "package-lock.json",
  "infra",
  "functions",
  "src",
  "sql",
  "state-machines",
  "test/infra/fixtures",
];

const args = process.argv.slice(2);
const stage = args[args.indexOf("--stage") + 1];
const force = args.includes("--force");
if (!STAGES.includes(stage)) {
  console.error(`usage: package-stage.mjs --stage ${STAGES.join("|")} [--force]`);
  process.exit(2);
}

const buildRoot = path.join(root, ".build/infra");
const outDir = path.join(buildRoot, stage);
const stampFile = path.join(buildRoot, `${stage}.inputs.sha256`);
const infoFile = path.join(buildRoot, `${stage}.package.json`);

// One packager per stage at a time: vitest workers and the script may ask together.
if (!process.env.PIPELINE_PACKAGE_LOCKED) {
  mkdirSync(buildRoot, { recursive: true });
  const locked = spawnSync(
    "flock",
    [path.join(buildRoot, `${stage}.lock`), process.execPath, ...process.argv.slice(1)],
    {
      stdio: "inherit",
      env: { ...process.env, PIPELINE_PACKAGE_LOCKED: "1" },
    },
  );
  process.exit(locked.status ?? 1);
}

function listFiles(rel) {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs)
    .filter((name) => name !== "node_modules" && !name.startsWith("."))
    .flatMap((name) => listFiles(`${rel}/${name}`));
}

const asl = existsSync(path.join(root, REAL_ASL)) ? REAL_ASL : FIXTURE_ASL;
const hash = createHash("sha256");
hash.update(JSON.stringify({ stage, asl, params: STAGE_PARAMS[stage] }));
for (const rel of INPUTS.flatMap(listFiles).sort()) {
  hash.update(`${rel}\0`);
  hash.update(readFileSync(path.join(root, rel)));
}
const inputsHash = hash.digest("hex");

const template = path.join(outDir, "cloudformation-template-update-stack.json");
if (
  !force &&
  existsSync(template) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, "utf8") === inputsHash
) {
  console.log(`${stage}: packaged template is up to date (${path.relative(root, outDir)})`);
  process.exit(0);
}

const tmpDir = `${outDir}.tmp-${process.pid}`;
rmSync(tmpDir, { recursive: true, force: true });
const serverless = path.join(root, "node_modules/.bin/serverless");
const cliArgs = [
  "package",
  "--stage",
  stage,
  "--package",
  tmpDir,
  ...STAGE_PARAMS[stage].map((p) => `--param=${p}`),
];
const started = process.hrtime.bigint();
const env = {
  ...process.env,
  PATH: `${path.join(root, ".tools/bin")}:${path.join(root, "node_modules/.bin")}:${process.env.PATH}`,
  AWS_ACCESS_KEY_ID: "offline",
  AWS_SECRET_ACCESS_KEY: "offline",
  AWS_SESSION_TOKEN: "offline",
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_EC2_METADATA_DISABLED: "true",
  SLS_TELEMETRY_DISABLED: "1",
  SLS_NOTIFICATIONS_MODE: "off",
  PIPELINE_ALLOW_MISSING_HANDLERS: "1",
  PIPELINE_ASL_FILE: asl,
};
for (const name of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]) delete env[name];
// Where the machine allows it (root or user namespaces), package inside a network namespace with no network at all.
const isolated = spawnSync("unshare", ["--net", "true"], { stdio: "ignore" }).status === 0;
const [command, commandArgs] = isolated
  ? ["unshare", ["--net", serverless, ...cliArgs]]
  : [serverless, cliArgs];
const result = spawnSync(command, commandArgs, { cwd: root, stdio: ["ignore", "inherit", "inherit"], env });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (result.status !== 0) {
  rmSync(tmpDir, { recursive: true, force: true });
  console.error(`${stage}: serverless package failed (exit ${result.status ?? result.signal})`);
  process.exit(1);
}
rmSync(outDir, { recursive: true, force: true });
renameSync(tmpDir, outDir);
writeFileSync(
  infoFile,
  `${JSON.stringify({ stage, asl, seconds: Number(seconds.toFixed(1)), networkIsolated: isolated, inputsHash }, null, 2)}\n`,
);
writeFileSync(stampFile, inputsHash);
console.log(
  `${stage}: packaged in ${seconds.toFixed(1)} s into ${path.relative(root, outDir)} ` +
    `(state machine from ${asl}${isolated ? ", without network" : ""})`,
);
