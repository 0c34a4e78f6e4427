import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { qualityRuleSchema } from "../../src/contracts/index.js";
import { rulesReference } from "../../src/contracts/rules-reference.js";

describe("the quality rules reference", () => {
  it("is the committed docs/contract-rules.md (regenerate: pipeline contracts rules > docs/contract-rules.md)", async () => {
    expect(await readFile("docs/contract-rules.md", "utf8")).toBe(rulesReference());
  });

  it("documents every rule with every parameter, and each example is a valid rule", () => {
    const reference = rulesReference();
    for (const option of qualityRuleSchema.options) {
      const name = option.shape.rule.value;
      expect(reference).toContain(`## \`${name}\``);
      for (const parameter of Object.keys(option.shape).filter((key) => key !== "rule")) {
        expect(reference, `${name}.${parameter}`).toMatch(
          new RegExp(`\\| \`${parameter}\` \\|[^\\n]*\\| [^|\\n]+ \\|\\n`),
        );
      }
    }
    const examples = [...reference.matchAll(/quality:\n {2}- (\{.*\})\n/g)].map((match) => match[1] ?? "");
    expect(examples.length).toBe(qualityRuleSchema.options.length);
    for (const example of examples)
      expect(qualityRuleSchema.safeParse(parseYaml(example)).success, example).toBe(true);
  });
});
