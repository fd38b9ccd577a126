import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Item, ItemVersion } from "../db/entities.ts";
import { activeDatabase, describeEachDatabase } from "../db/test-databases.ts";
import { createTestLibrary, draftFixture, type TestLibrary } from "../test-support.ts";
import { loadSeeds, resolveSeedLinks } from "./seed.ts";

let dir: string;
let seedsDir: string;
const open: TestLibrary[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wego-seed-"));
  seedsDir = join(dir, "seeds");
  mkdirSync(join(seedsDir, "seoul"), { recursive: true });
  const pathway = { ...draftFixture("pathway.minimal"), case: "https://seed.invalid/items/case-one" };
  writeFileSync(join(seedsDir, "seoul", "case-one.json"), JSON.stringify(draftFixture("case-study.minimal")));
  writeFileSync(join(seedsDir, "seoul", "pathway-one.json"), JSON.stringify(pathway));
  writeFileSync(join(seedsDir, "seoul", "dataset-one.json"), JSON.stringify(draftFixture("dataset.minimal")));
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.orm.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the node's store in `dir/data` as a (re)start would (the same database again on PostgreSQL). */
async function start() {
  const t = await createTestLibrary(undefined, join(dir, "data"), { database: activeDatabase() });
  open.push(t);
  return t;
}

async function stop(t: TestLibrary) {
  await t.orm.close();
  open.splice(open.indexOf(t), 1);
}

async function counts(t: TestLibrary) {
  const em = t.orm.em.fork();
  return { items: await em.count(Item), versions: await em.count(ItemVersion) };
}

const seed = (t: TestLibrary) =>
  loadSeeds({ orm: t.orm, library: t.library, seedsDir, city: "seoul", origin: t.identity.origin });

describeEachDatabase("seeds", () => {
  describe("loadSeeds()", () => {
    it("publishes each seed at the slug of its file name and links seeds to each other", async () => {
      const t = await start();
      expect(await seed(t)).toEqual({ status: "loaded", count: 3 });
      const pathway = await t.library.get("http://seoul.test/items/pathway-one");
      expect(pathway?.document.case).toBe("http://seoul.test/items/case-one");
      expect(await t.library.get("http://seoul.test/items/case-one")).not.toBeNull();
    });

    it("does not duplicate seeds on a second start", async () => {
      const first = await start();
      await seed(first);
      const before = await counts(first);
      await stop(first);
      const second = await start();
      expect(await seed(second)).toEqual({ status: "already-seeded" });
      expect(await counts(second)).toEqual(before);
      expect(before).toEqual({ items: 3, versions: 3 });
    });

    it("does not bring back a seed an editor deleted", async () => {
      const first = await start();
      await seed(first);
      await first.library.remove("http://seoul.test/items/dataset-one", { author: "ed" });
      await stop(first);
      const second = await start();
      await seed(second);
      expect((await second.library.get("http://seoul.test/items/dataset-one"))?.deleted).toBe(true);
      expect((await second.library.list()).total).toBe(2);
    });

    it("finishes a seeding that a crash interrupted, keeping what was stored", async () => {
      const first = await start();
      await first.library.create(draftFixture("case-study.minimal"), { author: "seed", slug: "case-one" });
      await stop(first);
      const second = await start();
      expect(await seed(second)).toEqual({ status: "loaded", count: 2 });
      expect(await counts(second)).toEqual({ items: 3, versions: 3 });
    });

    it("reports an invalid seed file and leaves the node unseeded", async () => {
      writeFileSync(join(seedsDir, "seoul", "zz-broken.json"), JSON.stringify({ type: "CaseStudy", title: "no body" }));
      const t = await start();
      const result = await seed(t);
      expect(result).toMatchObject({ status: "invalid", file: expect.stringContaining("zz-broken.json") });
      cpSync(join(seedsDir, "seoul", "case-one.json"), join(seedsDir, "seoul", "zz-broken.json"));
      expect(await seed(t)).toEqual({ status: "loaded", count: 1 });
    });
  });

  describe("resolveSeedLinks()", () => {
    it("rewrites only seed item and seed file links", () => {
      expect(
        resolveSeedLinks(
          {
            a: [
              "https://seed.invalid/items/x",
              "https://seed.invalid/files/y.csv",
              "https://seed.invalid/other/z",
              "https://we-gov.org",
            ],
          },
          "https://n.example",
        ),
      ).toEqual({
        a: [
          "https://n.example/items/x",
          "https://n.example/files/y.csv",
          "https://seed.invalid/other/z",
          "https://we-gov.org",
        ],
      });
    });
  });
});
