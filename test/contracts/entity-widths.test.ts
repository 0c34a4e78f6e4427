import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ENTITIES } from "../../src/contracts/entities.js";

/** VARCHAR widths of one staging table's columns, read from its DDL file and the migrations that add columns. */
const stagingWidths = async (entity: string): Promise<Map<string, number>> => {
  const file = (await readdir("sql/ddl")).find((name) =>
    new RegExp(`^01\\d_staging_${entity}\\.sql$`).test(name),
  );
  if (file === undefined) throw new Error(`no staging DDL for ${entity}`);
  const ddl = await readFile(`sql/ddl/${file}`, "utf8");
  const widths = new Map<string, number>();
  for (const match of ddl.matchAll(/^\s*([a-z_]+)\s+VARCHAR\((\d+)\)/gim)) {
    widths.set(match[1] as string, Number(match[2]));
  }
  // Columns added or widened by later migrations (test/contracts/catalogue.test.ts checks order and types too).
  const changed = new RegExp(
    `ALTER TABLE staging\\.${entity} (?:ADD|ALTER) COLUMN ([a-z_]+) (?:TYPE )?VARCHAR\\((\\d+)\\)`,
    "gi",
  );
  for (const name of (await readdir("sql/ddl")).sort()) {
    for (const match of (await readFile(`sql/ddl/${name}`, "utf8")).matchAll(changed)) {
      widths.set(match[1] as string, Number(match[2]));
    }
  }
  return widths;
};

describe("entity text widths", () => {
  it.each(ENTITIES.map((entity) => entity.name))(
    "%s: every text column's maxLength is the width of its staging column, so Spark quarantines what COPY would refuse",
    async (name) => {
      const entity = ENTITIES.find((candidate) => candidate.name === name);
      const widths = await stagingWidths(name);
      const textColumns = entity?.columns.filter((column) => column.type === "string") ?? [];
      expect(textColumns.length).toBeGreaterThan(0);
      for (const column of textColumns) {
        expect({ column: column.name, width: column.maxLength }).toEqual({
          column: column.name,
          width: widths.get(column.name),
        });
      }
    },
  );
});
