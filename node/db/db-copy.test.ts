import { describe, expect, it } from "vitest";
import { COPIED_TABLES, tablesOf, uncoveredTables } from "./db-copy.ts";
import { describeEachDatabase } from "./test-databases.ts";

describe("COPIED_TABLES", () => {
  it("names each table once", () => {
    const names = COPIED_TABLES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describeEachDatabase("uncoveredTables()", (database) => {
  it("finds no table of the migrated store that db copy would leave behind", async () => {
    const orm = await database.open();
    try {
      expect(await uncoveredTables(orm)).toEqual([]);
      expect(await tablesOf(orm)).toEqual(COPIED_TABLES.map((t) => t.name).sort());
    } finally {
      await orm.close();
    }
  });
});
