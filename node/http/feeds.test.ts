import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { readOutput, skipWithout } from "../outputs/test-readers.ts";
import { THEME_SCHEME } from "../outputs/atom.ts";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { addPeerRow, busanCaseStudy, ingestFromBusan } from "./test-support.ts";

/** What feedparser makes of a feed (see outputs/fixtures/read-output.py). */
interface ParsedFeed {
  version: string;
  bozo: boolean;
  bozo_exception: string;
  feed: { id: string; title: string; links: { rel: string; href: string; type?: string }[] };
  entries: {
    id: string;
    title: string;
    summary: string;
    author: string;
    author_detail: { name: string; href?: string };
    links: { rel: string; href: string; type?: string }[];
    tags: { term: string; scheme: string; label: string }[];
    updated: string;
    published: string;
  }[];
}

let node: TestServer;
let koreanId: string;
const peerId = "http://busan.test/items/ferry-app";

async function feed(query = ""): Promise<ParsedFeed> {
  const res = await fetch(`${node.url}/feed.atom${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
  return readOutput<ParsedFeed>("atom", new Uint8Array(await res.arrayBuffer()));
}

describeEachDatabase("Atom feeds", (database) => {
  beforeAll(async () => {
    node = await startTestServer({ database, search: true });
    const draft = draftFixture("case-study.minimal");
    const older = await node.library.create(
      // A control character is schema-valid in a title and cannot be in XML: the feed drops it.
      { ...draft, title: "Harbour call center <for> ships &\u0001 boats" },
      { author: "test" },
    );
    if (!older.ok) throw new Error("fixture rejected");
    const korean = await node.library.create(
      {
        ...draft,
        title: "120 다산콜센터",
        summary: "서울의 민원 전화를 하나의 번호로 모았다.",
        language: "ko",
        themes: ["service-delivery", "citizen-participation"],
      },
      { author: "test" },
    );
    if (!korean.ok) throw new Error("fixture rejected");
    koreanId = korean.item.id;
    await addPeerRow(node.orm, "http://busan.test/cities/busan", "Busan");
    // The peer's document claims Seoul; the feed's author is the city that signed it.
    await ingestFromBusan(node.library, {
      ...busanCaseStudy(peerId, { title: "Busan ferry app", city: "Seoul" }),
      updated: "2020-01-01T00:00:00Z",
      published: "2020-01-01T00:00:00Z",
    });
    await node.search!.settled();
  });
  afterAll(async () => {
    await node?.close();
  });
  describe("GET /feed.atom", () => {
    it.skipIf(skipWithout("feedparser"))(
      "is a well-formed Atom 1.0 feed of the network's items, newest first, each with its page, its signed document, its city and its themes",
      async () => {
        const parsed = await feed();
        expect(parsed.version).toBe("atom10");
        expect(parsed.bozo, parsed.bozo_exception).toBe(false);
        expect(parsed.feed.id).toBe(`${node.identity.origin}/feed.atom`);
        expect(parsed.feed.links).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ rel: "self", href: `${node.identity.origin}/feed.atom` }),
            expect.objectContaining({ rel: "alternate", href: `${node.identity.origin}/search` }),
          ]),
        );
        expect(parsed.entries.map((e) => e.id)).toEqual([koreanId, expect.any(String), peerId]);
        const [korean, older, peer] = parsed.entries;
        expect(korean).toMatchObject({
          title: "120 다산콜센터",
          summary: "서울의 민원 전화를 하나의 번호로 모았다.",
          author: node.identity.name,
          tags: [
            { term: "service-delivery", scheme: THEME_SCHEME, label: "Public services" },
            { term: "citizen-participation", scheme: THEME_SCHEME, label: "Citizen participation" },
          ],
        });
        expect(korean!.links).toEqual([
          expect.objectContaining({
            rel: "alternate",
            href: koreanId.replace("http://seoul.test", node.identity.origin),
          }),
          {
            rel: "alternate",
            type: "application/json",
            href: `${node.identity.origin}/api/items?${new URLSearchParams({ id: koreanId })}`,
          },
        ]);
        // Markup in a title is text: the entry's HTML title is escaped, so a reader shows it as written.
        expect(older!.title).toBe("Harbour call center &lt;for&gt; ships &amp; boats");
        expect(peer).toMatchObject({
          author: "Busan (busan.test)",
          author_detail: { name: "Busan (busan.test)", href: "http://busan.test" },
          updated: "2020-01-01T00:00:00.000Z",
          published: "2020-01-01T00:00:00.000Z",
        });
        expect(peer!.links[0]!.href).toBe(
          `${node.identity.origin}/library/item?${new URLSearchParams({ id: peerId })}`,
        );
      },
    );

    it.skipIf(skipWithout("feedparser"))(
      "turns any search into a feed: words, type, city, tag and language filter it as /api/search does",
      async () => {
        const words = await feed("?q=call+center");
        const search = (await (await fetch(`${node.url}/api/search?q=call+center&limit=100`)).json()) as {
          results: { id: string }[];
        };
        expect(words.entries.length).toBeGreaterThan(0);
        expect(words.entries.map((e) => e.id).sort()).toEqual(search.results.map((r) => r.id).sort());
        const updated = words.entries.map((e) => e.updated);
        expect(updated).toEqual([...updated].sort().reverse());
        expect(words.feed.id).toBe(`${node.identity.origin}/feed.atom?q=call+center`);
        expect(words.feed.title).toContain('"call center"');
        expect((await feed("?lang=ko")).entries.map((e) => e.id)).toEqual([koreanId]);
        expect((await feed("?tag=citizen-participation")).entries.map((e) => e.id)).toEqual([koreanId]);
        expect((await feed("?city=busan.test")).entries.map((e) => e.id)).toEqual([peerId]);
        expect((await feed("?type=Dataset")).entries).toEqual([]);
        const language = await feed("?lang=ko");
        expect(language.feed.links).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ rel: "alternate", href: `${node.identity.origin}/search?language=ko` }),
          ]),
        );
      },
    );

    it("answers 400 in the API's error shape for a bad filter or a query beyond a limit", async () => {
      const bad = await fetch(`${node.url}/feed.atom?type=Article`);
      expect(bad.status).toBe(400);
      await expect(bad.json()).resolves.toMatchObject({ error: `type must be one of ${DOCUMENT_TYPES.join(", ")}` });
      expect((await fetch(`${node.url}/feed.atom?q=${"x".repeat(65)}`)).status).toBe(400);
    });

    it("is announced for feed readers on the home, search and city pages, and the search page links its exports", async () => {
      const alternates = async (path: string) => {
        const html = await (await fetch(`${node.url}${path}`, { headers: { accept: "text/html" } })).text();
        return {
          html,
          feeds: [...html.matchAll(/<link rel="alternate" type="application\/atom\+xml" href="([^"]+)"/g)].map((m) =>
            m[1]!.replaceAll("&amp;", "&"),
          ),
        };
      };
      expect((await alternates("/")).feeds).toEqual(["/feed.atom"]);
      const search = await alternates("/search?q=call+center&language=ko&sort=newest");
      expect(search.feeds).toEqual(["/feed.atom?q=call+center&lang=ko"]);
      expect(search.html).toContain('href="/api/search?q=call+center&amp;lang=ko&amp;sort=newest&amp;format=csv"');
      expect(search.html).toContain('href="/api/search?q=call+center&amp;lang=ko&amp;sort=newest&amp;format=jsonl"');
      expect((await alternates("/library/cities/busan.test")).feeds).toEqual(["/feed.atom?city=busan.test"]);
    });
  });
});
