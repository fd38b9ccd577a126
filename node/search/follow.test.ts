import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { insertItemRows, insertVersionRows } from "../db/item-writes.ts";
import { TEST_DATABASES } from "../db/test-databases.ts";
import { createTestLibrary, TEST_IDENTITY, type TestLibrary } from "../test-support.ts";
import { createSearchService, type SearchService } from "./service.ts";

// Two stores on one PostgreSQL database stand for two processes: what one writes, the
// other's search index finds by following item_versions.seq, woken by the writer's
// NOTIFY (the fallback poll is set to a minute, so only the notification can wake it).

const postgres = TEST_DATABASES[1]!;
const opened: { t: TestLibrary; search?: SearchService }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const { t, search } of opened.splice(0)) {
    await search?.close();
    await t.orm.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Waits until `fn` answers true, or fails naming `label` after 10 s. */
async function until(label: string, fn: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const common = { language: "en", city: "Seoul", country: "KR", license: "CC-BY-4.0" };
const caseStudy = (title: string) => ({
  type: "CaseStudy",
  ...common,
  title,
  summary: `${title}, as the city ran it.`,
  body: "A short account of what the city did and what came of it.",
});

/** A writer (`a`) and a reader with its own search index (`b`) on one database. */
async function twoStores(): Promise<{ a: TestLibrary; b: TestLibrary; search: SearchService }> {
  const dir = mkdtempSync(join(tmpdir(), "wego-follow-"));
  dirs.push(dir);
  const a = await createTestLibrary(TEST_IDENTITY, dir, { database: postgres });
  opened.push({ t: a });
  const b = await createTestLibrary(TEST_IDENTITY, dir, { database: postgres });
  const search = await createSearchService({
    orm: b.orm,
    library: b.library,
    dataDir: ":memory:",
    followPollMs: 60_000,
  });
  opened.push({ t: b, search });
  await search.settled();
  return { a, b, search };
}

const hits = async (search: SearchService, q: string) => (await search.search({ q })).results.map((r) => r.id);

describe.skipIf(postgres.skip !== null)(
  `a search index following another process's writes [postgres${postgres.skip ? `: skipped, ${postgres.skip}` : ""}]`,
  () => {
    it("finds an item another store published, an update of it, and drops it once removed there", async () => {
      const { a, search } = await twoStores();
      const created = await a.library.create(caseStudy("Rooftop beehives on district offices"), { author: "test" });
      if (!created.ok) throw new Error(JSON.stringify(created));
      const id = created.item.id;
      await until("the new item to be found", async () => (await hits(search, "beehives")).includes(id));
      const updated = await a.library.update(id, caseStudy("Rooftop gardens on district offices"), {
        author: "test",
      });
      expect(updated.ok).toBe(true);
      await until("the update to be found", async () => (await hits(search, "gardens")).includes(id));
      expect(await hits(search, "beehives")).toEqual([]);
      expect((await a.library.remove(id, { author: "test" })).ok).toBe(true);
      await until("the removed item to leave the index", async () => (await hits(search, "gardens")).length === 0);
    });

    it("finds a version committed after a later one (its seq was skipped at the first read)", async () => {
      const { a, search } = await twoStores();
      // A writer that took its seq and has not committed yet.
      let commit!: () => void;
      const held = new Promise<void>((r) => (commit = r));
      let inserted!: () => void;
      const hasSeq = new Promise<void>((r) => (inserted = r));
      const stamp = new Date().toISOString();
      const slowId = `${TEST_IDENTITY.origin}/items/slow-writer`;
      const document = {
        id: slowId,
        attributedTo: TEST_IDENTITY.actorId,
        published: stamp,
        updated: stamp,
        version: 1,
      };
      const slow = a.orm.em.fork().transactional(async (em) => {
        const draft = caseStudy("Tidal energy pilot at the harbour");
        await insertItemRows(em, [
          {
            id: slowId,
            type: "CaseStudy",
            origin: TEST_IDENTITY.origin,
            local: true,
            version: 1,
            title: draft.title,
            city: "Seoul",
            language: "en",
            published: stamp,
            updated: stamp,
            deleted: false,
            verified: true,
            createdAt: stamp,
          },
        ]);
        await insertVersionRows(em, [
          {
            itemId: slowId,
            version: 1,
            document: JSON.stringify({ ...draft, ...document }),
            jws: "test..unsigned",
            html: "{}",
            author: "test",
            changed: "[]",
            createdAt: stamp,
          },
        ]);
        inserted();
        await held;
      });
      await hasSeq;
      const fast = await a.library.create(caseStudy("Harbour ferry timetable on screens"), { author: "test" });
      if (!fast.ok) throw new Error(JSON.stringify(fast));
      await until("the later version to be found", async () => (await hits(search, "ferry")).includes(fast.item.id));
      expect(await hits(search, "tidal")).toEqual([]);
      commit();
      await slow;
      await until("the earlier seq, committed last, to be found", async () =>
        (await hits(search, "tidal")).includes(slowId),
      );
    });
  },
);
