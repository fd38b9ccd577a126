import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeDatabase, describeEachDatabase } from "../db/test-databases.ts";
import { createTestLibrary, TEST_IDENTITY, type TestLibrary } from "../test-support.ts";
import { passageHtml } from "../../web/templates/snippet.ts";
import {
  createSearchService,
  SearchBusyError,
  type SearchQuery,
  type SearchResult,
  type SearchService,
  type SearchServiceOptions,
} from "./service.ts";

/** A result's passage as `/api/search` and the search page show it. */
const snippetOf = (result: SearchResult): string => passageHtml(result.passage ?? []);

const common = { language: "en", city: "Seoul", country: "KR", license: "CC-BY-4.0" };

function caseStudy(fields: Record<string, unknown>): Record<string, unknown> {
  return { type: "CaseStudy", ...common, body: "A short account of what the city did and what came of it.", ...fields };
}

function dataset(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    type: "Dataset",
    ...common,
    publisher: { name: "Seoul Metropolitan Government" },
    distributions: [{ accessURL: "https://data.example.org/files", format: "CSV", mediaType: "text/csv" }],
    ...fields,
  };
}

function pathway(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    type: "Pathway",
    ...common,
    body: "Steps another city can follow.",
    case: "https://seoul.test/items/case",
    ...fields,
  };
}

/** A small corpus of schema-valid drafts, keyed by a short name. */
const CORPUS: Record<string, Record<string, unknown>> = {
  floodTitle: caseStudy({
    title: "Flood sensors along the Han River",
    summary: "River level sensors send alerts to riverside districts before water rises.",
    themes: ["public-safety"],
    tags: ["sensors"],
    startYear: 2015,
  }),
  floodBody: caseStudy({
    title: "Neighbourhood budgeting assemblies",
    summary: "Residents decide how part of the district budget is spent.",
    body: "Assemblies met monthly. One year the winning proposal was a flood barrier for a low street.",
    themes: ["citizen-participation"],
    startYear: 2012,
  }),
  saoPaulo: caseStudy({
    title: "Participatory budgeting in São Paulo",
    summary: "Residents of São Paulo vote every year on investments in their neighbourhoods.",
    language: "pt-BR",
    city: "São Paulo",
    country: "BR",
    themes: ["citizen-participation"],
    startYear: 2012,
  }),
  wifi: dataset({
    title: "Public Wi-Fi access points",
    summary: "Locations of free public Wi-Fi in parks and markets.",
    translations: { ko: { title: "공공 와이파이 위치", summary: "서울시의 공공 와이파이 설치 장소입니다." } },
    keywords: ["hotspots"],
    issued: "2021-03-01",
  }),
  dashboard: caseStudy({
    title: "Transparency dashboard for council spending",
    summary: "Every payment over a threshold is published within a week, with the <b>contract</b> & invoice.",
    themes: ["transparency-and-accountability"],
    startYear: 2019,
  }),
  eungDapSo: JSON.parse(
    readFileSync(new URL("../../seeds/seoul/case-eung-dap-so.json", import.meta.url), "utf8"),
  ) as Record<string, unknown>,
};
for (let n = 1; n <= 6; n++) {
  CORPUS[`portal${n}`] =
    n % 2
      ? dataset({
          title: `Open data kiosk extract ${n}`,
          summary: `Extract number ${n} of the city's open data kiosk.`,
          issued: "2020-01-01",
        })
      : pathway({
          title: `Building an open data kiosk, part ${n}`,
          summary: `Part ${n} of a guide to running a kiosk.`,
        });
}

async function publish(
  t: TestLibrary,
  drafts: Record<string, Record<string, unknown>>,
): Promise<Record<string, string>> {
  const names = Object.keys(drafts);
  const results = await t.library.createMany(Object.values(drafts), { author: "test" });
  const ids: Record<string, string> = {};
  results.forEach((r, i) => {
    if (!r.ok) throw new Error(`${names[i]} is not valid: ${JSON.stringify(r)}`);
    ids[names[i]!] = r.item.id;
  });
  return ids;
}

/** An in-memory search service over `t`'s library, with `options`. */
function serviceOver(t: TestLibrary, options: Partial<SearchServiceOptions> = {}): Promise<SearchService> {
  return createSearchService({ orm: t.orm, library: t.library, dataDir: ":memory:", ...options });
}

/**
 * Searches until `threads` query threads answer (they start on the first search; until then
 * the main thread answers), so that what follows runs where the test says.
 */
async function untilThreads(search: SearchService, threads: number): Promise<void> {
  while (search.stats().queryThreads < threads) {
    await search.search({ limit: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A fresh library with `drafts` published, and a settled in-memory search service over it, answering in `threads` query threads. */
async function openIndexed(
  drafts: Record<string, Record<string, unknown>>,
  threads = 0,
): Promise<{ t: TestLibrary; search: SearchService; ids: Record<string, string> }> {
  const t = await createTestLibrary(undefined, undefined, { database: activeDatabase() });
  const ids = await publish(t, drafts);
  const search = await serviceOver(t, { queryThreads: threads });
  await search.settled();
  await untilThreads(search, threads);
  return { t, search, ids };
}

/** Closes what {@link openIndexed} opened (either may be missing when opening failed). */
async function closeIndexed(t: TestLibrary | undefined, search: SearchService | undefined): Promise<void> {
  await search?.close();
  await t?.orm.close();
}

// Every answer below is the same on the main thread and in a query thread (query-pool.ts).
describeEachDatabase("search service", () => {
  describe.each([
    { threads: 0, where: "on the main thread" },
    { threads: 1, where: "in a query thread" },
  ])("search service over a small corpus, $where", ({ threads }) => {
    let t: TestLibrary;
    let search: SearchService;
    let ids: Record<string, string>;
    const find = async (query: SearchQuery) => search.search(query);
    const idsOf = async (query: SearchQuery) => (await find(query)).results.map((r) => r.id);

    beforeAll(async () => void ({ t, search, ids } = await openIndexed(CORPUS, threads)));
    afterAll(() => closeIndexed(t, search));

    it("search() ranks a title match above a body match", async () => {
      const { results } = await find({ q: "flood" });
      expect(results.map((r) => r.id)).toEqual([ids.floodTitle, ids.floodBody]);
      expect(results[0]!.score).toBeGreaterThan(results[1]!.score);
      expect(results[0]).toMatchObject({
        type: "CaseStudy",
        title: "Flood sensors along the Han River",
        city: "Seoul",
        local: true,
        verified: true,
        origin: TEST_IDENTITY.origin,
      });
    });

    it("search() gives a case its start year and a dataset its issue year, and an undated item no year", async () => {
      const byId = new Map((await find({ limit: 50 })).results.map((r) => [r.id, r.year]));
      expect(byId.get(ids.floodTitle!)).toBe(2015);
      expect(byId.get(ids.wifi!)).toBe(2021);
      // Seoul's Eung-Dap-So seed carries no start year: the day it was loaded is not its year.
      expect(byId.get(ids.eungDapSo!)).toBeNull();
    });

    it("search() counts facets and keeps other values of a filtered facet visible", async () => {
      const all = await find({ q: "budgeting" });
      expect(all.results.map((r) => r.id).sort()).toEqual([ids.floodBody, ids.saoPaulo].sort());
      expect(all.facets.city).toEqual({ "São Paulo": 1, Seoul: 1 });
      expect(all.facets.lang).toEqual({ en: 1, "pt-BR": 1 });
      expect(all.facets.year).toEqual({ 2012: 2 });
      expect(all.facets.tag["citizen-participation"]).toBe(2);
      const filtered = await find({ q: "budgeting", city: "são paulo" });
      expect(filtered.results.map((r) => r.id)).toEqual([ids.saoPaulo]);
      expect(filtered.facets.city).toEqual({ "São Paulo": 1, Seoul: 1 });
      expect(filtered.facets.lang).toEqual({ "pt-BR": 1 });
    });

    it("search() filters by type, tag, language and year, and browses newest first without a query", async () => {
      const datasets = await find({ type: "Dataset", limit: 100 });
      expect(datasets.total).toBe(4);
      expect(datasets.results.every((r) => r.type === "Dataset")).toBe(true);
      expect(datasets.facets.type).toEqual({ CaseStudy: 5, Dataset: 4, Pathway: 3 });
      const updated = datasets.results.map((r) => r.updated);
      expect(updated).toEqual([...updated].sort().reverse());
      expect((await idsOf({ tag: "Citizen-Participation" })).sort()).toEqual(
        [ids.floodBody, ids.saoPaulo, ids.eungDapSo].sort(),
      );
      expect(await idsOf({ lang: "pt" })).toEqual([ids.saoPaulo]);
      expect((await idsOf({ lang: "ko" })).sort()).toEqual([ids.wifi, ids.eungDapSo].sort());
      expect((await idsOf({ year: 2012 })).sort()).toEqual([ids.floodBody, ids.saoPaulo].sort());
      expect(await idsOf({ q: "kiosk", type: "Pathway", year: 2012 })).toEqual([]);
    });

    it("search() pages through results without gaps or repeats", async () => {
      const first = await find({ q: "kiosk", limit: 4 });
      expect(first.total).toBe(6);
      const pages = [first.results, (await find({ q: "kiosk", limit: 4, offset: 4 })).results];
      expect(pages.map((p) => p.length)).toEqual([4, 2]);
      const seen = pages.flat().map((r) => r.id);
      expect(new Set(seen).size).toBe(6);
      const scores = pages.flat().map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect((await find({ q: "kiosk", offset: 6 })).results).toEqual([]);
    });

    it("search() finds Korean words, also inside longer words with particles", async () => {
      const eung = await find({ q: "응답소" });
      expect(eung.results[0]!.id).toBe(ids.eungDapSo);
      expect(snippetOf(eung.results[0]!)).toContain("<mark>응답소</mark>");
      expect(await idsOf({ q: "title:응답소" })).toEqual([ids.eungDapSo]);
      // The dataset has 서울 only as 서울시의 ("Seoul city's") in its Korean summary.
      expect(await idsOf({ q: "서울" })).toContain(ids.wifi);
      expect(await idsOf({ q: "와이파이" })).toEqual([ids.wifi]);
      // All bigrams must match: a word sharing one syllable pair is not enough.
      expect(await idsOf({ q: "서울역" })).toEqual([]);
    });

    it("search() matches accented text typed without accents, and the reverse", async () => {
      expect((await idsOf({ q: "sao paulo" }))[0]).toBe(ids.saoPaulo);
      expect((await idsOf({ q: "SÃO" }))[0]).toBe(ids.saoPaulo);
      expect(await idsOf({ q: "city:sao" })).toEqual([ids.saoPaulo]);
    });

    it("search() tolerates one typo in words of five letters or more, not in shorter ones", async () => {
      expect(await idsOf({ q: "dashbord" })).toEqual([ids.dashboard]);
      expect(await idsOf({ q: "transparancy" })).toContain(ids.dashboard);
      expect(await idsOf({ q: "flod" })).toEqual([]);
      expect(await idsOf({ q: "flood" })).toHaveLength(2);
    });

    it("search() supports +required, -excluded, field:term and prefix*", async () => {
      expect(await idsOf({ q: "+budgeting -paulo" })).toEqual([ids.floodBody]);
      expect(await idsOf({ q: "title:flood" })).toEqual([ids.floodTitle]);
      expect((await idsOf({ q: "budg*" })).sort()).toEqual([ids.floodBody, ids.saoPaulo].sort());
      expect(await idsOf({ q: "keywords:hotspot" })).toEqual([ids.wifi]);
      expect(await idsOf({ q: "formats:csv +wi-fi" })).toEqual([ids.wifi]);
    });

    it("search() highlights matched words in an HTML-escaped snippet", async () => {
      const [hit] = (await find({ q: "contract" })).results;
      expect(hit!.id).toBe(ids.dashboard);
      expect(snippetOf(hit!)).toContain("&#60;b&#62;<mark>contract</mark>&#60;/b&#62; &#38; invoice");
      expect(snippetOf(hit!)).not.toContain("<b>");
      const [body] = (await find({ q: "barrier" })).results;
      expect(snippetOf(body!)).toContain("<mark>barrier</mark>");
    });

    it("search() finds a pasted title with a colon, and reads an unknown field name as a word", async () => {
      const pasted = await find({ q: "Flood sensors along the Han River: a pilot" });
      expect(pasted.results[0]?.title).toBe("Flood sensors along the Han River");
      await expect(find({ q: "nosuchfield:flood" })).resolves.toMatchObject({ total: 0 });
      await expect(find({ q: "flood:sensors" })).resolves.not.toMatchObject({ total: 0 });
    });

    it("search() refuses a query beyond a limit with a QueryError naming it, on every segment kind", async () => {
      for (const [q, reason] of [
        ["abcdefghijklmnop~6", "edit-distance"],
        ["governmen~7", "edit-distance"],
        ["a*", "wildcard-prefix"],
        ["fl~2", "fuzzy-too-short"],
      ] as const) {
        await expect(find({ q }), q).rejects.toMatchObject({ name: "QueryError", reason });
      }
      // Within the limits, typos and wildcards still find what they found before.
      expect(await idsOf({ q: "dashbord~2" })).toEqual([ids.dashboard]);
      expect((await idsOf({ q: "bu*" })).sort()).toEqual(expect.arrayContaining([ids.floodBody, ids.saoPaulo]));
    });
  });

  describe("search service under changes", () => {
    let t: TestLibrary;
    let search: SearchService;
    let ids: Record<string, string>;

    beforeAll(async () => {
      const { floodTitle, floodBody, saoPaulo } = CORPUS;
      ({ t, search, ids } = await openIndexed({ floodTitle: floodTitle!, floodBody: floodBody!, saoPaulo: saoPaulo! }));
    });
    afterAll(() => closeIndexed(t, search));

    it("search() shows an update and a new item once settled, through a delta segment", async () => {
      const updated = await t.library.update(
        ids.floodTitle!,
        { ...CORPUS.floodTitle, title: "Storm drain sensors along the Han River", summary: "Sensors in storm drains." },
        { author: "test" },
      );
      expect(updated.ok).toBe(true);
      const created = await t.library.create(
        caseStudy({ title: "Flood maps for every district", summary: "Maps of areas at risk." }),
        { author: "test" },
      );
      await search.settled();
      const hits = (await search.search({ q: "flood" })).results.map((r) => r.id);
      expect(hits).toEqual([created.ok && created.item.id, ids.floodBody]);
      expect((await search.search({ q: "storm" })).results.map((r) => r.id)).toEqual([ids.floodTitle]);
      expect(search.stats().deltaSegments).toBeGreaterThan(0);
    });

    it("search() drops a deleted item at once, before any rebuild", async () => {
      const removed = await t.library.remove(ids.floodBody!, { author: "test" });
      expect(removed.ok).toBe(true);
      // No settled(): a delete is applied in the change listener itself.
      expect((await search.search({ q: "budgeting" })).results.map((r) => r.id)).toEqual([ids.saoPaulo]);
      expect((await search.search({})).total).toBe(3);
    });

    it("search() forgets the facet values of items gone once the base is rebuilt (bounded facet dictionaries)", async () => {
      const tags = Array.from({ length: 40 }, (_, i) => `passing-tag-${i}`);
      const created = await t.library.create(caseStudy({ title: "A passing item", summary: "Gone soon.", tags }), {
        author: "test",
      });
      if (!created.ok) throw new Error("fixture rejected");
      await search.settled();
      expect((await search.search({ tag: "passing-tag-7" })).total).toBe(1);
      const withTags = search.stats().facetValues;
      await t.library.remove(created.item.id, { author: "test" });
      await search.compact();
      expect((await search.search({})).facets.tag["passing-tag-7"]).toBeUndefined();
      expect(search.stats().facetValues).toBeLessThanOrEqual(withTags - 40);
    });

    it("search() gives the same answers after a compaction", async () => {
      const before = await search.search({ q: "flood sensors paulo" });
      await search.compact();
      expect(search.stats()).toMatchObject({ deltaSegments: 0, liveItems: 3 });
      const after = await search.search({ q: "flood sensors paulo" });
      expect(after.results.map((r) => r.id).sort()).toEqual(before.results.map((r) => r.id).sort());
    });
  });

  describe("search service in slices", () => {
    it.each([
      { threads: 0, where: "on the main thread" },
      { threads: 1, where: "in a query thread" },
    ])(
      "search() lets other work in between segments and answers as in one go, also while a compaction swaps the base, $where",
      async ({ threads }) => {
        const t = await createTestLibrary(undefined, undefined, { database: activeDatabase() });
        await publish(t, CORPUS);
        // Pieces of two documents, and a yield before every segment after the first.
        const sliced = await serviceOver(t, { baseChunkDocs: 2, querySliceMs: 0, queryThreads: threads });
        const whole = await serviceOver(t, { baseChunkDocs: 2, querySliceMs: 1e9, queryThreads: 0 });
        await Promise.all([sliced.settled(), whole.settled()]);
        await untilThreads(sliced, threads);
        expect(sliced.stats().baseSegments).toBe(6);
        const queries: SearchQuery[] = [{ q: "flood" }, { q: "seoul data" }, { q: "응답소" }, { q: "budg* -paulo" }];
        const expected = await Promise.all(queries.map((q) => whole.search(q)));
        for (let round = 0; round < 3; round++) {
          const [answers] = await Promise.all([Promise.all(queries.map((q) => sliced.search(q))), sliced.compact()]);
          expect(answers).toEqual(expected);
        }
        await Promise.all([sliced.close(), whole.close()]);
        await t.orm.close();
      },
    );
  });

  describe("search service under load", () => {
    it("search() refuses a search beyond the query threads' queue with SearchBusyError, and answers again once it drains", async () => {
      const t = await createTestLibrary(undefined, undefined, { database: activeDatabase() });
      await publish(t, CORPUS);
      const search = await serviceOver(t, { queryThreads: 1, maxQueuedQueries: 2 });
      try {
        await search.settled();
        await untilThreads(search, 1);
        const burst = await Promise.allSettled(Array.from({ length: 6 }, () => search.search({ q: "flood" })));
        const answered = burst.filter((r) => r.status === "fulfilled");
        const refused = burst.filter((r) => r.status === "rejected").map((r) => r.reason);
        expect(answered).toHaveLength(2);
        expect(refused).toHaveLength(4);
        for (const reason of refused) expect(reason).toBeInstanceOf(SearchBusyError);
        expect((await search.search({ q: "flood" })).total).toBe(2);
      } finally {
        await search.close();
        await t.orm.close();
      }
    });

    it("the query threads stop once no search has come for a while, and the next search starts them again with the same answers", async () => {
      const t = await createTestLibrary(undefined, undefined, { database: activeDatabase() });
      await publish(t, CORPUS);
      const search = await serviceOver(t, { queryThreads: 1, queryIdleMs: 200 });
      try {
        await search.settled();
        await untilThreads(search, 1);
        const before = await search.search({ q: "flood" });
        expect(search.stats().queryThreadStarts).toBe(1);
        while (search.stats().queryThreads > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        await untilThreads(search, 1);
        expect(search.stats().queryThreadStarts).toBe(2);
        expect(await search.search({ q: "flood" })).toEqual(before);
      } finally {
        await search.close();
        await t.orm.close();
      }
    });
  });

  describe("search service persistence", () => {
    let dir: string;
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("search() answers identically after a restart from the saved base, and catches up on changes made while stopped", async () => {
      dir = mkdtempSync(join(tmpdir(), "wego-search-"));
      let t = await createTestLibrary(TEST_IDENTITY, dir, { database: activeDatabase() });
      const ids = await publish(t, CORPUS);
      // A base in pieces of five documents, as a large base is kept in pieces of 2,000.
      let search = await createSearchService({ orm: t.orm, library: t.library, dataDir: dir, baseChunkDocs: 5 });
      await search.settled();
      expect(search.stats()).toMatchObject({ loadedFromDisk: false, compactions: 1, baseDocs: 12, baseSegments: 3 });
      const queries: SearchQuery[] = [
        { q: "flood" },
        { q: "응답소" },
        { q: "kiosk", limit: 3, offset: 1 },
        { type: "Dataset" },
      ];
      const before = await Promise.all(queries.map((q) => search.search(q)));
      await search.close();
      await t.orm.close();

      t = await createTestLibrary(TEST_IDENTITY, dir, { database: activeDatabase() });
      search = await createSearchService({ orm: t.orm, library: t.library, dataDir: dir });
      await search.settled();
      expect(search.stats()).toMatchObject({
        loadedFromDisk: true,
        compactions: 0,
        deltaBuilds: 0,
        baseDocs: 12,
        baseSegments: 3,
        liveItems: 12,
      });
      expect(await Promise.all(queries.map((q) => search.search(q)))).toEqual(before);
      await search.close();

      // Changed while the index was not listening: found again from item_versions.seq.
      const copy = await t.library.create(CORPUS.floodTitle, { author: "test" });
      await t.library.remove(ids.floodBody!, { author: "test" });
      search = await createSearchService({ orm: t.orm, library: t.library, dataDir: dir });
      await search.settled();
      expect(search.stats()).toMatchObject({ loadedFromDisk: true, compactions: 0, deltaBuilds: 1 });
      const { results } = await search.search({ q: "flood" });
      expect(results.map((r) => r.id).sort()).toEqual([ids.floodTitle, copy.ok && copy.item.id].sort());
      // The copy sits alone in a delta segment, the original in the base: scores stay comparable.
      expect(results[0]!.score / results[1]!.score).toBeLessThan(1.25);
      await search.close();
      await t.orm.close();
    });

    it("createSearchService() removes a base saved in the former format and rebuilds, so no stale values are served", async () => {
      const own = mkdtempSync(join(tmpdir(), "wego-search-"));
      try {
        const t = await createTestLibrary(TEST_IDENTITY, own, { database: activeDatabase() });
        await publish(t, CORPUS);
        mkdirSync(join(own, "search"), { recursive: true });
        writeFileSync(join(own, "search", "base.segs"), "a base of the former format");
        // v2 had no words as written (typo tolerance) nor translated titles: it must go too.
        writeFileSync(join(own, "search", "base-v2.segs"), "a base of the second format");
        const search = await createSearchService({ orm: t.orm, library: t.library, dataDir: own });
        await search.settled();
        expect(existsSync(join(own, "search", "base.segs"))).toBe(false);
        expect(existsSync(join(own, "search", "base-v2.segs"))).toBe(false);
        expect(existsSync(join(own, "search", "base-v3.segs"))).toBe(true);
        expect(search.stats()).toMatchObject({ loadedFromDisk: false, compactions: 1, liveItems: 12 });
        await search.close();
        await t.orm.close();
      } finally {
        rmSync(own, { recursive: true, force: true });
      }
    });
  });
});
