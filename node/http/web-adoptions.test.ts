import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredItem } from "../library/model.ts";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { addPeerRow } from "./test-support.ts";

// Lineage where people look: a case's page lists the cities adopting it (from their signed
// adoptions), and a readiness report names the adopters with a profile like the city's.

let s: TestServer;
let caseStudy: StoredItem;
let pathway: StoredItem;
let unadopted: StoredItem;
const busanAdoption = "http://busan.test/items/adoption-case";

async function page(path: string): Promise<string> {
  return (await fetch(s.url + path, { headers: { accept: "text/html" } })).text();
}

function assessUrl(profile: Record<string, string>): string {
  const qs = new URLSearchParams({ pathway: pathway.id, ...profile });
  for (let i = 0; i < 7; i++) qs.set(`p${i}`, "met");
  for (let i = 0; i < 4; i++) qs.set(`r${i}`, "yes");
  return `/assess?${qs}`;
}

describeEachDatabase("adoption pages", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database, search: true });
    const c = await s.library.create(draftFixture("case-study.minimal"), { author: "test" });
    if (!c.ok) throw new Error("case would not publish");
    caseStudy = c.item;
    const p = await s.library.create({ ...draftFixture("pathway.rich"), case: caseStudy.id }, { author: "test" });
    if (!p.ok) throw new Error("pathway would not publish");
    pathway = p.item;
    await addPeerRow(s.orm, "http://busan.test/cities/busan", "Busan Metropolitan City");
    // A peer's verified adoption of our case; its `city` field claims another city.
    const ingested = await s.library.ingest({
      document: {
        ...draftFixture("adoption.minimal"),
        id: busanAdoption,
        attributedTo: "http://busan.test/cities/busan",
        city: "Seoul",
        title: "Busan pilots the case",
        case: caseStudy.id,
        status: "piloting",
        statusDate: "2026-01-15",
        profile: { population: 3_300_000, incomeLevel: "high" },
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-01T00:00:00Z",
        version: 1,
      },
      jws: "eyJhbGciOiJFZERTQSIsImtpZCI6ImJ1c2FuLWtleSJ9..c2ln",
      origin: "http://busan.test",
      provenance: { via: "http://busan.test/cities/busan", receivedAt: "2026-01-02T00:00:00Z", kid: "busan-key" },
    });
    expect(ingested.ok).toBe(true);
    // A newer case nobody adopts: first when browsing by date, last when most adopted come first.
    const other = await s.library.create(
      { ...draftFixture("case-study.minimal"), title: "Unadopted case" },
      { author: "t" },
    );
    if (!other.ok) throw new Error("case would not publish");
    unadopted = other.item;
    // This city considers another node's case (not held here).
    const own = await s.library.create(draftFixture("adoption.minimal"), { author: "t" });
    if (!own.ok) throw new Error("adoption would not publish");
    await s.search!.settled();
  });
  afterAll(async () => s.close());
  describe("adoption lineage on the pages", () => {
    it("a case page lists 'Adopted by': the signing city, status, date and a valid-signature badge", async () => {
      const html = await page(new URL(caseStudy.id).pathname);
      const table = html.slice(html.indexOf('id="adoptions-h"'));
      expect(table).toContain("Adopted by");
      expect(table).toContain(
        `href="/library/item?${new URLSearchParams({ id: busanAdoption }).toString()}" lang="en">Busan pilots the case</a>`,
      );
      // Named by its verified origin, never by the document's own city field.
      expect(table).toContain('<a href="/library/cities/busan.test">Busan Metropolitan City (busan.test)</a>');
      expect(table).toContain("Trying it out");
      expect(table).toContain('<time datetime="2026-01-15">2026-01-15</time>');
      expect(table).toContain("Signed by Busan Metropolitan City (busan.test); the signature is valid.");
    });

    it("a report names the adopters alike in income level and population band, and only those", async () => {
      const alike = await page(assessUrl({ population: "2500000", income: "high" }));
      const similar = alike.slice(alike.indexOf('id="similar-h"'));
      expect(similar).toContain("Busan Metropolitan City (busan.test)</a> — Trying it out");
      const poorer = await page(assessUrl({ population: "2500000", income: "low" }));
      expect(poorer.slice(poorer.indexOf('id="similar-h"'))).toContain(
        "No city with a similar profile has reported adopting this case yet.",
      );
      const smaller = await page(assessUrl({ population: "80000", income: "high" }));
      expect(smaller.slice(smaller.indexOf('id="similar-h"'))).not.toContain("busan.test");
    });

    it("a city's page lists what it adopts and from whom", async () => {
      const html = await page("/library/cities/busan.test");
      const table = html.slice(html.indexOf('id="city-adoptions-h"'), html.indexOf('id="city-items-h"'));
      expect(table).toContain(`<a href="${new URL(caseStudy.id).pathname}">${caseStudy.title}</a>`);
      expect(table).toContain(`<td data-label="From">${s.identity.name}</td>`);
      expect(table).toContain("Trying it out");
    });

    it("the network page draws who adopts what from whom as an SVG with a text alternative and a table", async () => {
      const html = await page("/network");
      expect(html).toContain('role="img" aria-labelledby="network-title network-desc"');
      expect(html).toContain(`${s.identity.name} → Busan Metropolitan City (busan.test) (1)`);
      expect(html).toMatch(/<line class="edge"[^>]*marker-end="url\(#arrow\)"/);
      const table = html.slice(html.indexOf('id="network-table-h"'));
      expect(table).toContain(`<td data-label="From">${s.identity.name}</td>`);
      expect(table).toContain('href="/library/cities/busan.test">Busan Metropolitan City (busan.test)</a>');
    });

    it("search filters to cases at least one city adopts and sorts the most adopted first, in the API and on the page", async () => {
      type Api = { total: number; results: { id: string }[]; facets: { type: Record<string, number> } };
      const get = async (qs: string) => (await (await fetch(`${s.url}/api/search?${qs}`)).json()) as Api;
      const adopted = await get("adopted=1");
      expect(adopted.results.map((r) => r.id)).toEqual([caseStudy.id]);
      expect(adopted.total).toBe(1);
      expect(adopted.facets.type).toEqual({ CaseStudy: 1 });
      const byDate = await get("type=CaseStudy");
      expect(byDate.results.map((r) => r.id)).toEqual([unadopted.id, caseStudy.id]);
      const mostAdopted = await get("type=CaseStudy&sort=adopted");
      expect(mostAdopted.results.map((r) => r.id)).toEqual([caseStudy.id, unadopted.id]);
      expect((await fetch(`${s.url}/api/search?adopted=2`)).status).toBe(400);

      const html = await page("/search?adopted=1");
      expect(html).toContain("1 item");
      expect(html).toContain(`href="${new URL(caseStudy.id).pathname}"`);
      expect(html).not.toContain(`href="${new URL(unadopted.id).pathname}"`);
      expect(html).toContain('<a href="/search" aria-current="true"><span>Adopted by at least one city');
      expect(await page("/search?sort=adopted")).toContain(
        '<option value="adopted" selected>Most adopted first</option>',
      );
    });

    it("adoptions are faceted and filtered by status, in the API and on the page", async () => {
      type Api = { total: number; results: { id: string }[]; facets: { status: Record<string, number> } };
      const get = async (qs: string) => (await (await fetch(`${s.url}/api/search?${qs}`)).json()) as Api;
      const all = await get("type=Adoption");
      expect(all.total).toBe(2);
      expect(all.facets.status).toEqual({ considering: 1, piloting: 1 });
      const piloting = await get("type=Adoption&status=piloting");
      expect(piloting.results.map((r) => r.id)).toEqual([busanAdoption]);
      // Each facet ignores its own filter: the other status stays to switch to.
      expect(piloting.facets.status).toEqual({ considering: 1, piloting: 1 });
      const html = await page("/search?type=Adoption");
      const facet = html.slice(html.indexOf('id="facet-status"'));
      expect(facet).toContain("Adoption status");
      expect(facet).toContain(
        'href="/search?type=Adoption&amp;status=piloting"><span>Trying it out</span> <span class="n">1</span>',
      );
    });
  });
});
