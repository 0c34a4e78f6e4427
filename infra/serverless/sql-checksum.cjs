// Resolves `${file(infra/serverless/sql-checksum.cjs)}` in the warehouse resources: one SHA-256 over every
// migration file (path and content, in path order). The migrations custom resource carries it as a property,
// so CloudFormation re-runs the migrations exactly when a migration file changes.
const { createHash } = require("node:crypto");
const { readdirSync, readFileSync, statSync } = require("node:fs");
const path = require("node:path");

const MIGRATION_DIRS = ["sql/ddl", "sql/copy-jobs", "sql/analytics"];

function listSqlFiles(root, dir) {
  const abs = path.join(root, dir);
  let entries;
  try {
    entries = readdirSync(abs);
  } catch (error) {
    if (error.code === "ENOENT") return [];
    throw error;
  }
  return entries.flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) return listSqlFiles(root, rel);
    return name.endsWith(".sql") ? [rel] : [];
  });
}

function migrationsChecksum(root) {
  const hash = createHash("sha256");
  const files = MIGRATION_DIRS.flatMap((dir) => listSqlFiles(root, dir)).sort();
  for (const rel of files) {
    hash.update(`${rel}\0`);
    hash.update(readFileSync(path.join(root, rel)));
    hash.update("\0");
  }
  return `sha256:${hash.digest("hex")}`;
}

module.exports = () => migrationsChecksum(path.resolve(__dirname, "../.."));
module.exports.migrationsChecksum = migrationsChecksum;
