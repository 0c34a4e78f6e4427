import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildBundle,
  checkFeedExpressions,
  compileSource,
  readContracts,
} from "../../src/contracts/index.js";
import { useTempDir } from "../support/temp.js";

const root = process.cwd();
const tempDir = useTempDir();
const spark = { python: join(root, ".venv", "bin", "python"), sparkSrc: join(root, "spark", "src") };

const bundleOf = (directory: string) => {
  const contracts = readContracts(directory);
  return {
    bundle: buildBundle(
      Object.fromEntries(contracts.map(({ contract }) => [contract.source, compileSource(contract)])),
    ),
    files: Object.fromEntries(contracts.map(({ file, contract }) => [contract.source, file])),
  };
};

describe("feed expressions checked by Spark's analyser (contracts validate)", () => {
  it("names the contract file and path of every expression Spark cannot run", async () => {
    const directory = await tempDir();
    await cp(join(root, "contracts"), directory, { recursive: true });
    const orders = join(directory, "orders.yaml");
    const text = await readFile(orders, "utf8");
    await writeFile(
      orders,
      text
        .replace("status: order_status", "status: upper(order_state)")
        .replace("order_id: order_id", "order_id: no_such_function(order_id)"),
    );
    const broken = bundleOf(directory);
    const problems = await checkFeedExpressions(broken.bundle, broken.files, spark);
    expect(problems.map(({ file, path, expression }) => [file, path, expression])).toEqual([
      [orders, "feeds[0].map.order_id", "no_such_function(order_id)"],
      [orders, "feeds[0].map.status", "upper(order_state)"],
    ]);
    expect(problems[0]?.message).toContain("no_such_function");
    expect(problems[1]?.message).toContain("order_state");
  }, 120_000);
});
