import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { apiFetch } from "./test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";

describeEachDatabase("GET /api/search", (database) => {
  let node: TestServer;
  let id: string;

  beforeAll(async () => {
    node = await startTestServer({ search: true, database });
    const created = await node.library.create(draftFixture("case-study.minimal"), { author: "test" });
    if (!created.ok) throw new Error("fixture rejected");
    id = created.item.id;
    await node.search!.settled();
  });
  afterAll(async () => {
    await node?.close();
  });

  async function get(query: string) {
    const res = await apiFetch(`${node.url}/api/search?${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("GET /api/search answers the public contract's shape", async () => {
    const { status, body } = await get("q=call+center&limit=5");
    expect(status).toBe(200);
    expect(body.total).toBe(1);
    expect(body.results).toEqual([
      expect.objectContaining({
        id,
        type: "CaseStudy",
        title: expect.stringContaining("120 Dasan"),
        city: "Seoul",
        origin: node.identity.origin,
        local: true,
        verified: true,
        score: expect.any(Number),
      }),
    ]);
    expect(body.facets).toMatchObject({ type: { CaseStudy: 1 }, city: { Seoul: 1 }, tag: {}, lang: { en: 1 } });
  });

  it("GET /api/search answers a query with stray syntax (a pasted title, a colon, a caret) with results, never 400 or 500", async () => {
    for (const q of [
      "title:",
      "nosuchfield:x",
      "call^high",
      "call~x",
      "Flood sensors: a pilot",
      "covid-19: response",
    ]) {
      const { status, body } = await get(`q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(200);
      expect(Array.isArray(body.results), q).toBe(true);
    }
  });

  it("GET /api/search answers 400 naming the limit for a query beyond one (typos, wildcards, length, terms)", async () => {
    const cases: [string, RegExp][] = [
      ["abcdefghijklmnop~6", /at most 2 typos/],
      ["governmen~7", /at most 2 typos/],
      ["ab~1", /at least 3 letters/],
      ["a*", /at least 2 letters before the first \*/],
      ["*center", /at least 2 letters before the first \*/],
      ["x".repeat(65), /longer than 64 characters/],
      [`${Array.from({ length: 16 }, (_, i) => `word${i}`).join(" ")} cent*`, /more than 16 search terms/],
    ];
    for (const [q, message] of cases) {
      const { status, body } = await get(`q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(400);
      expect(body, q).toEqual({
        error: "the search query exceeds a limit",
        details: [{ path: "q", message: expect.stringMatching(message) }],
      });
    }
    // Within the limits, the same kinds of query run.
    for (const q of ["center~2", "cent*", "call center dasan"])
      expect((await get(`q=${encodeURIComponent(q)}`)).status, q).toBe(200);
  });

  it("GET /api/search searches a pasted paragraph by its first words and says so, never answering 400", async () => {
    const paragraph = `Dasan call center ${"answers residents questions about every city service ".repeat(12)}`;
    const long = await get(`q=${encodeURIComponent(paragraph)}`);
    expect(long.status).toBe(200);
    expect(long.body.shortened).toBe(true);
    expect((long.body.results as { title: string }[])[0]?.title).toMatch(/^120 Dasan Call Center/);
    const words = await get(`q=${encodeURIComponent(Array.from({ length: 17 }, (_, i) => `word${i}`).join(" "))}`);
    expect(words.status).toBe(200);
    expect(words.body.shortened).toBe(true);
    expect((await get("q=dasan")).body.shortened).toBeUndefined();
  });

  it("GET /api/search answers 400 for bad parameters", async () => {
    expect((await get("limit=101")).status).toBe(400);
    expect((await get("limit=0")).status).toBe(400);
    expect((await get("offset=-1")).status).toBe(400);
    expect((await get("type=Article")).status).toBe(400);
    expect((await get("year=twenty")).status).toBe(400);
    expect((await get("lang=not a tag")).status).toBe(400);
    expect((await get("q=a&q=b")).body).toEqual({
      error: "give q once",
      details: [{ path: "q", message: "is repeated" }],
    });
  });

  it("GET /api/search?sort= orders by relevance, newest, oldest, title or adoptions, and answers 400 naming the orders otherwise", async () => {
    const draft = draftFixture("case-study.minimal");
    for (const [title, startYear] of [
      ["Call center for the harbour", 2004],
      ["Another call center, for buses", 2019],
    ] as const) {
      const created = await node.library.create({ ...draft, title, startYear }, { author: "test" });
      if (!created.ok) throw new Error("fixture rejected");
    }
    await node.search!.settled();
    const order = async (sort: string) =>
      ((await get(`q=call+center&sort=${sort}`)).body.results as { title: string; year: number | null }[]).map(
        (r) => r.year ?? r.title,
      );
    const newest = await order("newest");
    expect(newest.slice(0, 2)).toEqual([2019, 2004]);
    expect((await order("oldest")).slice(0, 2)).toEqual([2004, 2019]);
    const titles = ((await get("q=call+center&sort=title")).body.results as { title: string }[]).map((r) => r.title);
    expect(titles.slice(1)).toEqual(["Another call center, for buses", "Call center for the harbour"]);
    expect(titles[0]).toMatch(/^120 Dasan/);
    expect((await get("q=call+center&sort=relevance")).status).toBe(200);
    expect(await get("sort=popular")).toEqual({
      status: 400,
      body: {
        error: "sort must be one of relevance, newest, oldest, title, adopted",
        details: [{ path: "sort", message: "must be one of relevance, newest, oldest, title, adopted" }],
      },
    });
  });
});

describe("search while a node's index is still being built", () => {
  let node: TestServer;

  beforeAll(async () => {
    // Enough items that building the index at start-up outlasts the first requests; no wait.
    node = await startTestServer({
      search: { readyWaitMs: 0 },
      fill: async (library) => {
        const draft = draftFixture("case-study.minimal");
        for (let i = 0; i < 150; i++) {
          const created = await library.create({ ...draft, title: `Call center ${i}` }, { author: "test" });
          if (!created.ok) throw new Error("fixture rejected");
        }
      },
    });
  });
  afterAll(async () => {
    await node?.close();
  });

  it("answers 503 with Retry-After, never a wrong 0 results, and /readyz says not ready while /healthz is live", async () => {
    const [search, page, ready, health] = await Promise.all([
      apiFetch(`${node.url}/api/search?q=call`),
      fetch(`${node.url}/search?q=call`, { headers: { accept: "text/html" } }),
      fetch(`${node.url}/readyz`),
      fetch(`${node.url}/healthz`),
    ]);
    expect(search.status).toBe(503);
    expect(search.headers.get("retry-after")).toBe("5");
    await expect(search.json()).resolves.toEqual({
      error: "the search index is being built; try again in a few seconds",
    });
    expect(page.status).toBe(503);
    await expect(page.text()).resolves.toContain("still building its search index");
    expect(ready.status).toBe(503);
    expect(health.status).toBe(200);
    await expect(health.json()).resolves.toEqual({ ok: true, ready: false });

    await node.search!.settled();
    const after = await apiFetch(`${node.url}/api/search?q=call`);
    expect(after.status).toBe(200);
    await expect(after.json()).resolves.toMatchObject({ total: 150 });
    expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
  });
});

describe("search while the query threads are saturated", () => {
  let node: TestServer;

  beforeAll(async () => {
    // A queue of 0: once the thread is ready, every search finds it full.
    node = await startTestServer({ search: { queryThreads: 1, maxQueuedQueries: 0 } });
    while (node.search!.stats().queryThreads < 1) {
      await node.search!.search({ limit: 0 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  afterAll(async () => {
    await node?.close();
  });

  it("answers 503 with Retry-After 1 to the API and the search page, and still renders the home page", async () => {
    const [search, page, home] = await Promise.all([
      apiFetch(`${node.url}/api/search?q=call`),
      fetch(`${node.url}/search?q=call`, { headers: { accept: "text/html" } }),
      fetch(`${node.url}/`, { headers: { accept: "text/html" } }),
    ]);
    expect(search.status).toBe(503);
    expect(search.headers.get("retry-after")).toBe("1");
    await expect(search.json()).resolves.toEqual({
      error: "the node is answering too many searches; try again in a moment",
    });
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("1");
    await expect(page.text()).resolves.toContain("answering many searches");
    expect(home.status).toBe(200);
  });
});
