import { Parser } from "n3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATALOGUE_PAGE_SIZE } from "../outputs/catalogue.ts";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";

// Paging and parameters of /catalog. Validation against the DCAT-AP shapes, over every
// serialization of a seeded node, is federation-tests/interop/catalog.test.ts.

const HYDRA = "http://www.w3.org/ns/hydra/core#";
const DATASET = "http://www.w3.org/ns/dcat#Dataset";
let s: TestServer;

async function page(query: string) {
  const res = await fetch(`${s.url}/catalog.ttl${query}`);
  expect(res.status).toBe(200);
  const quads = new Parser().parse(await res.text());
  const about = (subject: string, predicate: string) =>
    quads
      .filter((q) => q.subject.value === subject && q.predicate.value === `${HYDRA}${predicate}`)
      .map((q) => q.object.value);
  const datasets = quads.filter((q) => q.object.value === DATASET).map((q) => q.subject.value);
  return { about, datasets };
}

describeEachDatabase("the DCAT catalogue", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database });
    const drafts = Array.from({ length: CATALOGUE_PAGE_SIZE + 1 }, (_, i) => ({
      ...draftFixture("dataset.minimal"),
      title: `Dataset number ${i + 1}`,
    }));
    expect((await s.library.createMany(drafts, { author: "test" })).every((r) => r.ok)).toBe(true);
    expect((await s.library.createMany([draftFixture("case-study.minimal")], { author: "test" }))[0]!.ok).toBe(true);
  });
  afterAll(async () => {
    await s.close();
  });
  describe("GET /catalog paging", () => {
    it("lists 100 datasets a page, no other item types, with hydra links to the next and last pages", async () => {
      const first = await page("");
      expect(first.datasets).toHaveLength(CATALOGUE_PAGE_SIZE);
      const self = `http://seoul.test/catalog.ttl?page=1`;
      expect(first.about(self, "totalItems")).toEqual([String(CATALOGUE_PAGE_SIZE + 1)]);
      expect(first.about(self, "itemsPerPage")).toEqual([String(CATALOGUE_PAGE_SIZE)]);
      expect(first.about(self, "nextPage")).toEqual(["http://seoul.test/catalog.ttl?page=2"]);
      expect(first.about(self, "lastPage")).toEqual(["http://seoul.test/catalog.ttl?page=2"]);
      expect(first.about(self, "previousPage")).toEqual([]);
      const second = await page("?page=2");
      expect(second.datasets).toHaveLength(1);
      expect(first.datasets).not.toContain(second.datasets[0]);
      expect(second.about("http://seoul.test/catalog.ttl?page=2", "previousPage")).toEqual([self]);
    });

    it("keeps scope=network in its paging links", async () => {
      const network = await page("?scope=network");
      expect(network.about("http://seoul.test/catalog.ttl?scope=network&page=1", "nextPage")).toEqual([
        "http://seoul.test/catalog.ttl?scope=network&page=2",
      ]);
    });

    it("answers 400 for a malformed page or scope and 404 past the last page", async () => {
      for (const query of ["?page=0", "?page=x", "?page=1&page=2", "?scope=world"])
        expect((await fetch(`${s.url}/catalog${query}`)).status, query).toBe(400);
      expect((await fetch(`${s.url}/catalog.rdf?page=3`)).status).toBe(404);
    });

    it("is written once per change of the library: a dataset published since the last request is in the next answer", async () => {
      const before = await page("?page=2");
      expect((await page("?page=2")).datasets).toEqual(before.datasets);
      const created = await s.library.create(
        { ...draftFixture("dataset.minimal"), title: "A newer dataset" },
        { author: "test" },
      );
      if (!created.ok) throw new Error("not published");
      const after = await page("");
      expect(after.datasets).toContain(`${created.item.id}#dataset`);
      expect(after.about("http://seoul.test/catalog.ttl?page=1", "totalItems")).toEqual([
        String(CATALOGUE_PAGE_SIZE + 2),
      ]);
    });
  });
});
