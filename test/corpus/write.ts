import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CASES, type Outcome } from "./cases.js";
import { contentBytes } from "./content.js";

/**
 * Writes the bad-input corpus to a folder for manual use (docs/semantics.md, "Bad-input corpus"):
 * `<out>/raw/<key>` per case, as it would be dropped into the raw bucket, and `<out>/cases.json` with
 * each case's id, category, key, file, expected outcome and gap. A key that cannot be a local path
 * (an empty, `.` or `..` segment, a name over 255 bytes, a folder marker) is written under
 * `<out>/unstorable/<id>` instead; `cases.json` still gives its key.
 *
 *   npx tsx test/corpus/write.ts --out .local/corpus
 *   pipeline drop .local/corpus/raw/orders   # try the orders cases against a local stage (src/local/README.md)
 *
 * The corpus_parquet cases need test/corpus/contracts/corpus_parquet.yaml among the stage's contracts.
 */

const outcomeJson = (outcome: Outcome): Record<string, unknown> =>
  JSON.parse(JSON.stringify(outcome, (_, value) => (value instanceof RegExp ? String(value) : value)));

const storable = (key: string): boolean =>
  !key.endsWith("/") &&
  key
    .split("/")
    .every(
      (segment) => segment !== "" && segment !== "." && segment !== ".." && Buffer.byteLength(segment) <= 255,
    );

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  if (!values.out) {
    process.stderr.write("usage: tsx test/corpus/write.ts --out <folder>\n");
    process.exitCode = 2;
    return;
  }
  const out = resolve(values.out);
  const index = [];
  for (const corpusCase of CASES) {
    const file = storable(corpusCase.key)
      ? join("raw", ...corpusCase.key.split("/"))
      : join("unstorable", corpusCase.id);
    const path = join(out, file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await contentBytes(corpusCase.content));
    index.push({
      id: corpusCase.id,
      category: corpusCase.category,
      key: corpusCase.key,
      file,
      expected: outcomeJson(corpusCase.expected),
      ...(corpusCase.gap
        ? { gap: { why: corpusCase.gap.why, current: outcomeJson(corpusCase.gap.current) } }
        : {}),
    });
  }
  await writeFile(join(out, "cases.json"), `${JSON.stringify(index, null, 2)}\n`);
  process.stdout.write(
    `wrote ${index.length} cases to ${out} (contracts: contracts/ plus test/corpus/contracts/)\n`,
  );
};

await main();
