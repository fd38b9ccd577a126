import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { busanCaseStudy } from "./test-support.ts";

let server: TestServer;
let caseId: string;
let casePath: string;
let pathwayPath: string;
const peerId = "http://busan.test/items/kiosk-data";

async function page(path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
  const res = await fetch(server.url + path, { headers: { accept: "text/html", ...headers }, redirect: "manual" });
  return { status: res.status, html: await res.text() };
}

function pathOf(id: string): string {
  return new URL(id).pathname;
}

describeEachDatabase("item pages and versions", (database) => {
  beforeAll(async () => {
    server = await startTestServer({ database });
    const { library } = server;
    const made = await library.create(
      { ...draftFixture("case-study.minimal"), title: "mVoting", summary: "Residents vote on city questions." },
      { author: "user:kim" },
    );
    if (!made.ok) throw new Error("fixture");
    caseId = made.item.id;
    casePath = pathOf(caseId);
    const pathway = await library.create(
      { ...draftFixture("pathway.minimal"), title: "Pathway to mobile voting", case: caseId },
      { author: "user:kim" },
    );
    if (!pathway.ok) throw new Error("fixture");
    pathwayPath = pathOf(pathway.item.id);
    const ingested = await library.ingest({
      document: {
        ...busanCaseStudy(peerId, { title: "Busan kiosk dataset" }),
        ...draftFixture("dataset.minimal"),
        id: peerId,
        attributedTo: "http://busan.test/cities/busan",
        title: "Busan kiosk dataset",
        relatedCases: [caseId],
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-01T00:00:00Z",
        version: 1,
      },
      jws: "eyJhbGciOiJFZERTQSJ9..c2ln",
      origin: "http://busan.test",
      provenance: { via: "http://busan.test/cities/busan", receivedAt: "2026-01-02T00:00:00Z", kid: "busan-key" },
    });
    expect(ingested.ok).toBe(true);
    // Version 2 changes the summary, with markup that must come out escaped.
    const updated = await library.update(
      caseId,
      {
        ...draftFixture("case-study.minimal"),
        title: "mVoting",
        summary: "Residents <b>decide</b> city questions.",
        tags: ["voting"],
      },
      { author: "user:kim" },
    );
    expect(updated.ok).toBe(true);
  });
  afterAll(async () => server.close());
  describe("item pages, both ways", () => {
    it("a case's page lists the pathway naming it as its case and a peer's verified dataset pointing at it", async () => {
      const { status, html } = await page(casePath);
      expect(status).toBe(200);
      expect(html).toContain('<h2 id="pathways-h">');
      expect(html).toContain(`<a href="${pathwayPath}"`);
      expect(html).toContain('>Busan kiosk dataset</a> <span class="badge">From busan.test</span>');
    });

    it("names an item linking here in the reader's language when it carries that translation", async () => {
      const made = await server.library.create(
        {
          ...draftFixture("pathway.minimal"),
          title: "Second pathway to mobile voting",
          case: caseId,
          translations: { ko: { title: "모바일 투표 도입 경로", summary: "요약" } },
        },
        { author: "user:kim" },
      );
      expect(made.ok).toBe(true);
      const { html } = await page(`${casePath}?lang=ko`);
      expect(html).toContain('lang="ko">모바일 투표 도입 경로</a>');
    });

    it("a pathway's page does not list its own case again among the items linking to it", async () => {
      const { html } = await page(pathwayPath);
      expect(html).not.toContain('id="linking-h"');
    });
  });

  describe("past versions", () => {
    it("?version=1 shows version 1 as a page with a banner, and the history links each version's page", async () => {
      const { status, html } = await page(`${casePath}?version=1`);
      expect(status).toBe(200);
      expect(html).toContain("You are looking at version 1 of 2, from ");
      expect(html).toContain("Residents vote on city questions.");
      expect(html).not.toContain("decide");
      expect(html).toContain(`<a href="${casePath}">See the current version</a>`);
      const current = await page(casePath);
      expect(current.html).toContain(`<a href="${casePath}?version=1">Version 1</a>`);
      expect(current.html).toContain('<strong aria-current="page">Version 2</strong>');
      expect(current.html).not.toContain("You are looking at version");
    });

    it("JSON clients still get the current signed document at the item's URL", async () => {
      const res = await fetch(`${server.url}${casePath}?version=1`, { headers: { accept: "application/json" } });
      const body = (await res.json()) as { document: { version: number } };
      expect(body.document.version).toBe(2);
    });

    it("an unknown version is a 404 page, a malformed one a 400 page", async () => {
      expect((await page(`${casePath}?version=9`)).status).toBe(404);
      const bad = await page(`${casePath}?version=abc`);
      expect(bad.status).toBe(400);
      expect(bad.html).toContain("<!doctype html>");
    });

    it("/library/item keeps the version when it redirects to a local item's page", async () => {
      const res = await fetch(`${server.url}/library/item?${new URLSearchParams({ id: caseId, version: "1" })}`, {
        redirect: "manual",
        headers: { accept: "text/html" },
      });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe(`${casePath}?version=1`);
    });
  });

  describe("a peer's versions", () => {
    it("open at /library/item with the version, and the compare form carries the item's id", async () => {
      const id = "http://busan.test/items/versions";
      const provenance = {
        via: "http://busan.test/cities/busan",
        receivedAt: "2026-01-02T00:00:00Z",
        kid: "busan-key",
      };
      const jws = "eyJhbGciOiJFZERTQSJ9..c2ln";
      for (const [version, title] of [
        [1, "Busan ferry app"],
        [2, "Busan ferry and bus app"],
      ] as const) {
        const document = { ...busanCaseStudy(id, { title }), version, updated: `2026-01-0${version}T00:00:00Z` };
        expect((await server.library.ingest({ document, jws, origin: "http://busan.test", provenance })).ok).toBe(true);
      }
      const past = await page(`/library/item?${new URLSearchParams({ id, version: "1" })}`);
      expect(past.status).toBe(200);
      expect(past.html).toContain("<h1>Busan ferry app</h1>");
      expect(past.html).toContain("You are looking at version 1 of 2");
      const current = await page(`/library/item?${new URLSearchParams({ id })}`);
      expect(current.html).toContain('<form class="compare" method="get" action="/library/item">');
      expect(current.html).toContain(`<input type="hidden" name="id" value="${id}">`);
      const compared = await page(`/library/item?${new URLSearchParams({ id, from: "1", to: "2" })}`);
      expect(compared.html).toContain("<dt>Title</dt>");
      expect(compared.html).toContain("<ins>and bus </ins>");
    });
  });

  describe("comparing versions", () => {
    it("?from=1&to=2 shows what changed field by field, word by word and escaped", async () => {
      const { status, html } = await page(`${casePath}?from=1&to=2`);
      expect(status).toBe(200);
      expect(html).toContain("<h1>Changes to “mVoting”</h1>");
      expect(html).toContain("<dt>Summary</dt>");
      expect(html).toContain("<del>vote on</del>");
      expect(html).toContain("<ins>&lt;b&gt;decide&lt;/b&gt;</ins>");
      expect(html).toContain("<dt>Other keywords</dt>");
      expect(html).not.toContain("<dt>Title</dt>");
      expect(html).toContain('<form class="compare" method="get" action="');
    });
  });

  describe("deleted items", () => {
    it("are headed with their last title, say when, and link the last version, which still opens", async () => {
      const made = await server.library.create(
        { ...draftFixture("case-study.minimal"), title: "Old kiosk case" },
        { author: "user:kim" },
      );
      if (!made.ok) throw new Error("fixture");
      expect((await server.library.remove(made.item.id, { author: "user:kim" })).ok).toBe(true);
      const path = pathOf(made.item.id);
      const { status, html } = await page(path);
      expect(status).toBe(410);
      expect(html).toContain("<h1>Deleted: Old kiosk case</h1>");
      expect(html).toMatch(/Deleted on \d{4}-\d\d-\d\d by Seoul Metropolitan Government\./);
      expect(html).toContain(`<a href="${path}?version=1">See the last version before it was deleted</a>`);
      const last = await page(`${path}?version=1`);
      expect(last.status).toBe(200);
      expect(last.html).toContain("You are looking at version 1 of 2");
      expect(last.html).toContain("The item has since been deleted.");
    });

    it("a peer's tombstone keeps the title of the version we held", async () => {
      const id = "http://busan.test/items/gone";
      const base = busanCaseStudy(id, { title: "Busan ferry permits" });
      const provenance = {
        via: "http://busan.test/cities/busan",
        receivedAt: "2026-01-02T00:00:00Z",
        kid: "busan-key",
      };
      const jws = "eyJhbGciOiJFZERTQSJ9..c2ln";
      expect((await server.library.ingest({ document: base, jws, origin: "http://busan.test", provenance })).ok).toBe(
        true,
      );
      const tombstone = {
        id,
        type: "Tombstone",
        formerType: "CaseStudy",
        attributedTo: "http://busan.test/cities/busan",
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-03T00:00:00Z",
        deleted: "2026-01-03T00:00:00Z",
        version: 2,
      };
      expect(
        (await server.library.ingest({ document: tombstone, jws, origin: "http://busan.test", provenance })).ok,
      ).toBe(true);
      const { status, html } = await page(`/library/item?${new URLSearchParams({ id })}`);
      expect(status).toBe(410);
      expect(html).toContain("<h1>Deleted: Busan ferry permits</h1>");
      expect(html).toContain("Deleted on 2026-01-03 by busan.test.");
    });
  });

  describe("a case adapted from another", () => {
    it("names the case it adapts on its page, and the adapted case lists it among related cases", async () => {
      const made = await server.library.create(
        {
          ...draftFixture("case-study.minimal"),
          title: "Jeju votes by phone",
          summary: "Jeju's own version of mobile voting.",
          adaptedFrom: caseId,
        },
        { author: "user:kim" },
      );
      if (!made.ok) throw new Error(`fixture: ${JSON.stringify(made)}`);
      const adapting = await page(pathOf(made.item.id));
      expect(adapting.html).toMatch(new RegExp(`<dt>Adapted from</dt><dd><a href="${casePath}">mVoting</a></dd>`));
      const ko = await page(pathOf(made.item.id), { "accept-language": "ko" });
      expect(ko.html).toContain("<dt>바탕이 된 사례</dt>");
      const adapted = await page(casePath);
      const related = adapted.html.slice(adapted.html.indexOf('id="cases-h"'));
      expect(related).toMatch(new RegExp(`^[^§]*?<a href="${pathOf(made.item.id)}"[^>]*>Jeju votes by phone</a>`));
    });
  });
});
