import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { runProgram } from "../../src/cli/main.js";

const program = (action: () => void | Promise<void>): Command => {
  const root = new Command("pipeline");
  root.command("run").action(action);
  return root;
};

describe("the CLI's exit code", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("carries a command's failure code (a failed or partial run) instead of overwriting it with 0", async () => {
    const code = await runProgram(
      program(() => {
        process.exitCode = 2;
      }),
      ["run"],
    );
    expect(code).toBe(2);
  });

  it("is 0 when the command succeeds, and 1 when it throws", async () => {
    expect(
      await runProgram(
        program(() => undefined),
        ["run"],
      ),
    ).toBe(0);
    const thrown = await runProgram(
      program(() => {
        throw new Error("boom");
      }),
      ["run"],
    );
    expect(thrown).toBe(1);
  });
});
