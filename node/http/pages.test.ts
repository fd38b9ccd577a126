import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { addPeerRow, busanCaseStudy } from "./test-support.ts";

let server: TestServer;
const peerId = "http://busan.test/items/case-peer";

async function page(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(server.url + path, { headers: { accept: "text/html", ...headers } });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

describeEachDatabase("the search and item pages", (database) => {
  beforeAll(async () => {
    server = await startTestServer({ database, search: true });
    const { library } = server;
    await library.create(
      {
        ...draftFixture("case-study.minimal"),
        title: "Mobile voting <b>pilot</b>",
        body: "Residents **vote** on city questions.",
      },
      { author: "test" },
    );
    await library.create({ ...draftFixture("dataset.minimal"), title: "Budget lines dataset" }, { author: "test" });
    // The peer's document claims to be this node's city: nothing may take its word for it.
    const doc = busanCaseStudy(peerId, { city: "Seoul", title: "Busan mobile voting kiosk" });
    const ingested = await library.ingest({
      document: doc,
      jws: "eyJhbGciOiJFZERTQSIsImtpZCI6ImJ1c2FuLWtleSJ9..c2ln",
      origin: "http://busan.test",
      provenance: {
        via: "http://ulaanbaatar.test/cities/ulaanbaatar",
        receivedAt: "2026-02-03T04:05:06Z",
        kid: "busan-key",
      },
    });
    expect(ingested.ok).toBe(true);
    await addPeerRow(server.orm, "http://busan.test/cities/busan", "Busan Metropolitan City");
    await server.search!.settled();
  });
  afterAll(async () => server.close());
  describe("search page", () => {
    it("highlights matched words, escapes titles, counts facets and keeps filters in shareable links", async () => {
      const { status, html, headers } = await page("/search?q=voting&type=CaseStudy");
      expect(status).toBe(200);
      expect(headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(html).toContain("Mobile voting &lt;b&gt;pilot&lt;/b&gt;");
      expect(html).toContain("<mark>");
      expect(html).toMatch(/2 results for “voting”/);
      // The city facet keeps the query and the type filter.
      // A peer's item is faceted under its origin's host, not the city its document names.
      expect(html).toContain('href="/search?q=voting&amp;type=CaseStudy&amp;city=busan.test"');
      expect(html).toContain("From busan.test");
      const api = (await (await fetch(`${server.url}/api/search?q=voting`)).json()) as {
        results: { id: string; city: string }[];
        facets: { city: Record<string, number> };
      };
      expect(api.facets.city).toEqual({ Seoul: 1, "busan.test": 1 });
      expect(api.results.find((r) => r.id === peerId)?.city).toBe("busan.test");
      expect(html).not.toContain("Budget lines dataset");
    });

    it("pages load images only from this node (Content-Security-Policy img-src 'self' data:)", async () => {
      const csp = (await page("/")).headers.get("content-security-policy")!;
      expect(csp).toMatch(/(^|; )img-src 'self' data:(;|$)/);
      expect(csp).not.toMatch(/https:/);
    });

    it("says what to do when nothing matches", async () => {
      const { html } = await page("/search?q=zzzqqqxx");
      expect(html).toContain("Nothing matched “zzzqqqxx”.");
      expect(html).toContain("Check the spelling");
    });

    it("searches a pasted paragraph by its first words and says so, in the reader's language", async () => {
      const paragraph = "mobile voting for residents on city questions from their phones ".repeat(8);
      const en = await page(`/search?q=${encodeURIComponent(paragraph)}`);
      expect(en.status).toBe(200);
      expect(en.html).toContain("only its first words were searched");
      const ko = await page(`/search?q=${encodeURIComponent(paragraph)}`, { "accept-language": "ko" });
      expect(ko.html).toContain("앞부분의 단어로만 검색했습니다");
      expect((await page("/search?q=voting")).html).not.toContain("only its first words");
    });
  });

  describe("item pages", () => {
    it("a peer's item has a page at /library/item with its provenance in words", async () => {
      const { status, html } = await page(`/library/item?id=${encodeURIComponent(peerId)}`);
      expect(status).toBe(200);
      expect(html).toContain(
        "Received via ulaanbaatar.test on 2026-02-03, signed by Busan Metropolitan City (busan.test).",
      );
      expect(html).toContain("Signed by Busan Metropolitan City (busan.test); the signature is valid.");
      expect(html).not.toMatch(/Signed by Seoul/);
      // The document's own claim is shown as its content only, not linked to Seoul's page.
      expect(html).not.toContain('href="/library/cities/Seoul"');
      expect(html).toContain(`href="/api/items?${new URLSearchParams({ id: peerId })}"`);
      expect(html).not.toContain(">Edit<");
    });

    it("a local item names this node as publisher and links its raw signed versions", async () => {
      const { html: list } = await page("/search?q=pilot");
      const path = /href="(\/items\/[^"]+)"/.exec(list)![1]!;
      const { html } = await page(path);
      expect(html).toMatch(/Published on this node by [^<]+\./);
      expect(html).toMatch(/href="\/api\/items\?id=[^"]+&amp;version=1"/);
      expect(html).toContain("<strong>vote</strong>");
    });

    it("/library/item redirects only to a path of this node built from a valid slug (no open redirect)", async () => {
      const evil = await fetch(
        `${server.url}/library/item?${new URLSearchParams({ id: "http://seoul.test/items/../..//evil.example/x" })}`,
        { redirect: "manual" },
      );
      expect(evil.status).toBe(404);
      expect(evil.headers.get("location")).toBeNull();
      const sneaky = await fetch(
        `${server.url}/library/item?${new URLSearchParams({ id: "http://seoul.test/items/a%2F..%2F..%2F%2Fevil.example" })}`,
        { redirect: "manual" },
      );
      expect(sneaky.status).toBe(404);
      const ours = await fetch(
        `${server.url}/library/item?${new URLSearchParams({ id: "http://seoul.test/items/some-case-abc123" })}`,
        { redirect: "manual" },
      );
      expect(ours.status).toBe(302);
      expect(ours.headers.get("location")).toBe("/items/some-case-abc123");
    });

    it("a city's page lists only what its origin signed: a peer's item claiming the city is on the peer's page", async () => {
      const seoul = await page("/library/cities/Seoul");
      expect(seoul.status).toBe(200);
      expect(seoul.html).toContain("Mobile voting &lt;b&gt;pilot&lt;/b&gt;");
      expect(seoul.html).not.toContain("Busan mobile voting kiosk");
      const busan = await page("/library/cities/busan.test");
      expect(busan.status).toBe(200);
      expect(busan.html).toContain("<h1>Busan Metropolitan City (busan.test)</h1>");
      expect(busan.html).toContain("Busan mobile voting kiosk");
      const cities = await page("/library/cities");
      expect(cities.html).toMatch(
        /<a href="\/library\/cities\/busan.test">Busan Metropolitan City \(busan.test\)<\/a> <span class="n">1 /,
      );
      expect(cities.html).toMatch(/<a href="\/library\/cities\/Seoul">Seoul<\/a> <span class="n">2 /);
      const home = await page("/");
      expect(home.html).toContain('<a href="/library/cities/busan.test">Busan Metropolitan City (busan.test)</a>');
    });

    it("the items API lists and filters a peer's item under its origin's host", async () => {
      const all = (await (await fetch(`${server.url}/api/items`)).json()) as { items: { id: string; city: string }[] };
      expect(all.items.find((i) => i.id === peerId)?.city).toBe("busan.test");
      const seoul = (await (await fetch(`${server.url}/api/items?city=Seoul`)).json()) as {
        total: number;
        items: { id: string }[];
      };
      expect(seoul.total).toBe(2);
      expect(seoul.items.map((i) => i.id)).not.toContain(peerId);
      const busan = (await (await fetch(`${server.url}/api/items?city=busan.test`)).json()) as {
        items: { id: string }[];
      };
      expect(busan.items.map((i) => i.id)).toEqual([peerId]);
    });

    it("unknown items get a 404 page with a search box", async () => {
      const { status, html } = await page("/items/nope");
      expect(status).toBe(404);
      expect(html).toContain('role="search"');
    });
  });

  describe("language", () => {
    it("follows Accept-Language, and ?lang= switches and is remembered in a cookie", async () => {
      expect((await page("/", { "accept-language": "ko-KR,ko;q=0.9" })).html).toContain('<html lang="ko">');
      const res = await fetch(`${server.url}/?lang=en`, { headers: { "accept-language": "ko" } });
      expect(await res.text()).toContain('<html lang="en">');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith("wego_lang=en"))!;
      expect(cookie).toBeTruthy();
      expect((await page("/search", { "accept-language": "ko", cookie: cookie.split(";")[0]! })).html).toContain(
        '<html lang="en">',
      );
    });
  });

  describe("static files", () => {
    it("serves the stylesheet and the client scripts, nothing else", async () => {
      expect((await fetch(`${server.url}/static/site.css`)).headers.get("content-type")).toMatch(/^text\/css/);
      expect((await fetch(`${server.url}/static/preview.js`)).headers.get("content-type")).toMatch(/^text\/javascript/);
      expect((await fetch(`${server.url}/static/..%2Fhtml.ts`)).status).toBe(404);
    });
  });

  describe("search page: sort, languages, filters", () => {
    it("keeps the sort in every link, reads an unknown sort as the default, shows a Korean reader the Korean title", async () => {
      await server.library.create(
        {
          ...draftFixture("case-study.minimal"),
          title: "Quokka counting by residents",
          summary: "Residents count quokkas in city parks.",
          translations: { ko: { title: "시민이 세는 쿼카", summary: "시민이 공원의 쿼카를 셉니다." } },
        },
        { author: "test" },
      );
      await server.search!.settled();
      const sorted = (await page("/search?q=quokka&sort=oldest")).html;
      expect(sorted).toContain('<option value="oldest" selected>Oldest first</option>');
      expect(sorted).toContain('href="/search?q=quokka&amp;type=CaseStudy&amp;sort=oldest"');
      // The filters are a disclosure (closed: one line on a phone; the stylesheet opens it on wide screens).
      expect(sorted).toMatch(/<details class="filters">\s*<summary><h2 id="filters-h">Filters/);
      const unknown = await page("/search?q=quokka&sort=popular");
      expect(unknown.status).toBe(200);
      expect(unknown.html).toContain('<option value="" selected>Best match</option>');
      const ko = (await page("/search?q=quokka&lang=ko")).html;
      expect(ko).toContain("시민이 세는 쿼카");
      expect(ko).not.toContain("Quokka counting by residents");
      // An untranslated title on the Korean page is marked as English.
      const en = (await page("/search?q=voting&lang=ko")).html;
      expect(en).toMatch(/<h3 lang="en"><a [^>]*>Mobile voting &lt;b&gt;pilot&lt;\/b&gt;<\/a><\/h3>/);
    });

    it("names a theme in the theme filter and its active filter in the reader's language, and filters by its value", async () => {
      await server.library.create(
        {
          ...draftFixture("case-study.minimal"),
          title: "Wombat census",
          themes: ["citizen-participation"],
          tags: ["wombats"],
        },
        { author: "test" },
      );
      await server.search!.settled();
      const en = (await page("/search?q=wombat")).html;
      expect(en).toContain('href="/search?q=wombat&amp;tag=citizen-participation"><span>Citizen participation</span>');
      expect(en).toContain("<span>wombats</span>");
      const ko = (await page("/search?q=wombat&tag=citizen-participation&lang=ko")).html;
      expect(ko).toContain("Wombat census");
      expect(ko).toContain('<span>시민 참여<span class="visually-hidden">');
      expect(ko).toMatch(/주제[^<]*: 시민 참여 <span aria-hidden="true">×<\/span>/);
      expect(ko).not.toMatch(/>citizen-participation</);
    });
  });
});
