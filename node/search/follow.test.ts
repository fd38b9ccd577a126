import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ItemRow, ItemVersionRow } from "../db/entities.ts";
import { createItemWrites, insertItemRows, insertVersionRows } from "../db/item-writes.ts";
import { rawRows } from "../db/sql.ts";
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

/** An item's head and version rows as stored, without signing (the index reads the document). */
function rawItem(id: string, origin: string, title: string): { item: ItemRow; version: ItemVersionRow } {
  const stamp = new Date().toISOString();
  const document = {
    ...caseStudy(title),
    id,
    attributedTo: `${origin}/cities/x`,
    published: stamp,
    updated: stamp,
    version: 1,
  };
  return {
    item: {
      id,
      type: "CaseStudy",
      origin,
      local: origin === TEST_IDENTITY.origin,
      version: 1,
      title,
      city: "Seoul",
      language: "en",
      published: stamp,
      updated: stamp,
      deleted: false,
      verified: true,
      createdAt: stamp,
    },
    version: {
      itemId: id,
      version: 1,
      document: JSON.stringify(document),
      jws: "test..unsigned",
      html: "{}",
      author: "test",
      changed: "[]",
      createdAt: stamp,
    },
  };
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

    it("a writer waits for an earlier one to commit: versions become visible in seq order, and are found", async () => {
      const { a, b, search } = await twoStores();
      // A writer that took its seq and has not committed yet.
      let commit!: () => void;
      const held = new Promise<void>((r) => (commit = r));
      let inserted!: () => void;
      const hasSeq = new Promise<void>((r) => (inserted = r));
      const slowId = `${TEST_IDENTITY.origin}/items/slow-writer`;
      const slowRows = rawItem(slowId, TEST_IDENTITY.origin, "Tidal energy pilot at the harbour");
      const slow = a.orm.em.fork().transactional(async (em) => {
        await insertItemRows(em, [slowRows.item]);
        await insertVersionRows(em, [slowRows.version]);
        inserted();
        await held;
      });
      await hasSeq;
      // A second writer starts meanwhile. Were it to commit first, with the later seq, a
      // reader between the two commits would move its watermark past the earlier one.
      const fast = a.library.create(caseStudy("Harbour ferry timetable on screens"), { author: "test" });
      const visible = async () =>
        rawRows<{ seq: number; id: string }>(
          b.orm.em.getKnex(),
          "select seq, item_id as id from item_versions order by seq",
        );
      try {
        await new Promise((r) => setTimeout(r, 500));
        expect(await visible(), "nothing visible while the earlier writer is open").toEqual([]);
      } finally {
        commit();
      }
      await slow;
      const created = await fast;
      if (!created.ok) throw new Error(JSON.stringify(created));
      expect((await visible()).map((r) => r.id)).toEqual([slowId, created.item.id]);
      await until(
        "both versions to be found",
        async () =>
          (await hits(search, "tidal")).includes(slowId) && (await hits(search, "ferry")).includes(created.item.id),
      );
    });

    it("drops a peer's items another store purged (no version left to follow) on the purge's notification", async () => {
      const { a, search } = await twoStores();
      const peerId = "http://busan.test/items/lantern-festival";
      const rows = rawItem(peerId, "http://busan.test", "Lantern festival crowd management");
      await a.orm.em.fork().transactional(async (em) => {
        await insertItemRows(em, [rows.item]);
        await insertVersionRows(em, [rows.version]);
      });
      await until("the peer's item to be found", async () => (await hits(search, "lantern")).includes(peerId));
      expect(await createItemWrites(a.orm).purgeOrigin("http://busan.test")).toEqual([{ id: peerId, version: 1 }]);
      // The periodic reconciliation is a minute away: only the notification gets it out this soon.
      await until("the purged item to leave the index", async () => (await hits(search, "lantern")).length === 0);
    });
  },
);
