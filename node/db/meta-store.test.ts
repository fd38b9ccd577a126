import { afterEach, beforeEach, expect, it } from "vitest";
import { createMetaStore, type MetaStore } from "./meta-store.ts";
import type { Orm } from "./orm.ts";
import { describeEachDatabase } from "./test-databases.ts";

describeEachDatabase("createMetaStore()", (database) => {
  let orm: Orm;
  let meta: MetaStore;
  beforeEach(async () => {
    orm = await database.open();
    meta = createMetaStore(orm);
  });
  afterEach(async () => {
    await orm.close();
  });

  it("answers null for a key never set, and the value set for one that was", async () => {
    expect(await meta.get("publisher.watermark")).toBeNull();
    await meta.set("publisher.watermark", "42");
    expect(await meta.get("publisher.watermark")).toBe("42");
  });

  it("replaces a key's value in place, leaving other keys alone", async () => {
    await meta.set("seeded", "no");
    await meta.set("other", "kept");
    await meta.set("seeded", "yes");
    expect(await meta.get("seeded")).toBe("yes");
    expect(await meta.get("other")).toBe("kept");
    const rows = (await orm.em.getKnex()("meta").where("key", "seeded")) as unknown[];
    expect(rows).toHaveLength(1);
  });
});
