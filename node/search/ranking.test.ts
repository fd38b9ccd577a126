import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../db/test-databases.ts";
import { createTestLibrary, type TestLibrary } from "../test-support.ts";
import { createSearchService, type SearchQuery, type SearchService } from "./service.ts";

// Ranking over the real seeds of every city (what issue 10 was measured on): typo tolerance,
// queries of several words, sort orders and titles in the reader's language.

const SEEDS = new URL("../../seeds/", import.meta.url).pathname;

/** Every seed document of every city, by its file's slug (`case-mvoting`). */
function seedDrafts(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const city of readdirSync(SEEDS, { withFileTypes: true })) {
    if (!city.isDirectory()) continue;
    for (const file of readdirSync(join(SEEDS, city.name)).filter((f) => f.endsWith(".json")))
      out[file.replace(/\.json$/, "")] = JSON.parse(readFileSync(join(SEEDS, city.name, file), "utf8"));
  }
  return out;
}

describeEachDatabase("search ranking over the seeds", (database) => {
  let t: TestLibrary;
  let search: SearchService;
  /** Slug of each published item, by id. */
  const slugs = new Map<string, string>();
  const drafts = seedDrafts();
  const slugsOf = async (query: SearchQuery) =>
    (await search.search({ limit: 100, ...query })).results.map((r) => slugs.get(r.id)!);

  beforeAll(async () => {
    t = await createTestLibrary(undefined, undefined, { database });
    const names = Object.keys(drafts);
    const results = await t.library.createMany(Object.values(drafts), { author: "test" });
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(`${names[i]} is not valid: ${JSON.stringify(r)}`);
      slugs.set(r.item.id, names[i]!);
    });
    search = await createSearchService({ orm: t.orm, library: t.library, dataDir: ":memory:" });
    await search.settled();
  });
  afterAll(async () => {
    await search?.close();
    await t?.orm.close();
  });

  it("search() finds `voting` only in items about voting, not in those that only have “Notes” (stem `note`)", async () => {
    const found = await slugsOf({ q: "voting" });
    expect(found.slice(0, 2).sort()).toEqual(["case-mvoting", "pathway-mvoting"]);
    // The three e-government tables have a "Notes" column and no voting at all.
    for (const slug of ["dataset-egov-recognition", "dataset-egov-phases", "dataset-egov-infrastructure"])
      expect(found).not.toContain(slug);
    const mentions = (slug: string) => /vot/i.test(JSON.stringify(drafts[slug]));
    expect(found.every(mentions)).toBe(true);
  });

  it("search() corrects a typo in a word the index does not know, never a word it knows: `votng`, `goverment`", async () => {
    expect((await slugsOf({ q: "votng" })).slice(0, 2).sort()).toEqual(["case-mvoting", "pathway-mvoting"]);
    expect(await slugsOf({ q: "goverment" })).toEqual(expect.arrayContaining(["dataset-egov-phases", "case-wego"]));
    // Four letters are too few to guess from: `vote` is not taken for `note`.
    expect(await slugsOf({ q: "vpte" })).toEqual([]);
    // Beside a word typed right, a corrected one weighs a fifth: `mobile` decides the order.
    const mixed = await search.search({ q: "mobile votng", limit: 100 });
    const exact = await search.search({ q: "mobile", limit: 100 });
    expect(mixed.results[0]!.id).toBe(exact.results.find((r) => mixed.results.some((m) => m.id === r.id))!.id);
  });

  it("search() answers `mobile voting` with the items that have both words, and says so (allWords)", async () => {
    const answer = await search.search({ q: "mobile voting", limit: 100 });
    const found = answer.results.map((r) => slugs.get(r.id)!);
    expect(found.slice(0, 2).sort()).toEqual(["case-mvoting", "pathway-mvoting"]);
    expect(answer.allWords).toBe(answer.total);
    expect(answer.total).toBeLessThan(6);
    for (const slug of found) {
      const text = JSON.stringify(drafts[slug]).toLowerCase();
      expect(text, slug).toMatch(/mobile/);
      expect(text, slug).toMatch(/vot/);
    }
    // `Smart Seoul 2015` no longer lists every item of the library.
    expect((await search.search({ q: "Smart Seoul 2015" })).total).toBeLessThan(slugs.size / 2);
  });

  it("search() falls back to items with some of the words, more words first, when no item has them all", async () => {
    const answer = await search.search({ q: "voting zzqxj" });
    expect(answer.allWords).toBe(0);
    expect(
      answer.results
        .map((r) => slugs.get(r.id))
        .slice(0, 2)
        .sort(),
    ).toEqual(["case-mvoting", "pathway-mvoting"]);
    // +required keeps lunr's meaning: the other words only add to the score.
    const required = await search.search({ q: "+voting mobile", limit: 100 });
    expect(required.allWords).toBeUndefined();
    expect(required.total).toBe((await search.search({ q: "voting", limit: 100 })).total);
  });

  it("search() sorts by year (newest, oldest; undated last), by title, and ties by id", async () => {
    const all = await search.search({ limit: 100, sort: "newest" });
    const years = all.results.map((r) => r.year);
    const dated = years.filter((y) => y !== null);
    expect(dated.length).toBeGreaterThan(3);
    expect(dated).toEqual([...dated].sort((a, b) => b! - a!));
    expect(years.slice(dated.length).every((y) => y === null)).toBe(true);
    const oldest = (await search.search({ limit: 100, sort: "oldest" })).results.map((r) => r.year);
    expect(oldest.filter((y) => y !== null)).toEqual([...dated].reverse());
    const titles = (await search.search({ limit: 100, sort: "title" })).results.map((r) => r.title);
    expect(titles).toEqual([...titles].sort(new Intl.Collator("en", { sensitivity: "base", numeric: true }).compare));
    // A query sorted by year keeps its matches, in year order.
    const mobile = await search.search({ q: "mobile", sort: "oldest", limit: 100 });
    expect(mobile.total).toBe((await search.search({ q: "mobile", limit: 100 })).total);
    const mobileYears = mobile.results.map((r) => r.year).filter((y) => y !== null);
    expect(mobileYears).toEqual([...mobileYears].sort((a, b) => a! - b!));
    // Pages of a sorted list neither repeat nor skip an item.
    const paged = [
      ...(await search.search({ limit: 5, sort: "newest" })).results,
      ...(await search.search({ limit: 5, offset: 5, sort: "newest" })).results,
    ];
    expect(paged.map((r) => r.id)).toEqual(all.results.slice(0, 10).map((r) => r.id));
  });

  it("search() shows the Korean title and summary of a translated item to a Korean reader, and its own to others", async () => {
    const ko = await search.search({ q: "mVoting", locale: "ko" });
    const hit = ko.results.find((r) => slugs.get(r.id) === "case-mvoting")!;
    const tr = (drafts["case-mvoting"]!.translations as Record<string, { title: string; summary: string }>).ko!;
    expect(hit).toMatchObject({ title: tr.title, summary: tr.summary, language: "ko" });
    expect(hit.passage?.map((p) => p.text).join("")).toMatch(/[가-힣]/);
    const en = (await search.search({ q: "mVoting" })).results.find((r) => r.id === hit.id)!;
    expect(en).toMatchObject({ title: drafts["case-mvoting"]!.title, language: "en" });
    // An item without a Korean translation keeps its own title.
    const air = (await search.search({ q: "air quality", locale: "ko" })).results.find(
      (r) => slugs.get(r.id) === "dataset-ulaanbaatar-air-quality",
    );
    expect(air?.title).toBe(drafts["dataset-ulaanbaatar-air-quality"]!.title);
  });

  it("search() reads a Korean compound the index never holds whole as its words: `전자투표` finds mVoting first", async () => {
    // The seeds say 모바일 투표 (mobile voting) and 전자정부 (e-government), never 전자투표.
    const answer = await search.search({ q: "전자투표", limit: 100 });
    const found = answer.results.map((r) => slugs.get(r.id)!);
    expect(found.slice(0, 2).sort()).toEqual(["case-mvoting", "pathway-mvoting"]);
    expect(answer.allWords).toBe(0);
    // Written apart, the words find the same items in the same order.
    expect((await search.search({ q: "전자 투표", limit: 100 })).results.map((r) => r.id)).toEqual(
      answer.results.map((r) => r.id),
    );
    // A word that would leave one piece stays whole: `서울역` (Seoul Station) is not `서울` (Seoul).
    expect((await search.search({ q: "서울역" })).total).toBe(0);
    // A word the index holds whole is not split, and +required keeps its meaning.
    expect((await search.search({ q: "엠보팅" })).allWords).toBeUndefined();
    expect((await search.search({ q: "+전자투표" })).total).toBe(0);
  });

  it("search() puts the item whose title was pasted first, for every seed's title and Korean title", async () => {
    const misses: string[] = [];
    for (const [slug, draft] of Object.entries(drafts)) {
      const ko = (draft.translations as Record<string, { title?: string }> | undefined)?.ko?.title;
      for (const title of [draft.title as string, ...(ko ? [ko] : [])]) {
        const first = (await search.search({ q: title, limit: 1 })).results[0];
        if (slugs.get(first?.id ?? "") !== slug) misses.push(`${title} → ${first ? slugs.get(first.id) : "nothing"}`);
      }
    }
    expect(misses).toEqual([]);
  });
});
