import { Parser } from "n3";
import { describe, expect, it } from "vitest";
import { buildCatalogueGraph, type CatalogueDescription, type CataloguePage } from "./dcat-graph.ts";
import { serializeRdf } from "./rdf-serialize.ts";
import { storedDocument } from "../../schemas/catalogue.ts";

const catalogue: CatalogueDescription = {
  iri: "http://seoul.test/catalog",
  title: { en: "Catalogue" },
  description: { en: "Datasets" },
  publisher: { iri: "http://seoul.test/cities/seoul", name: "Seoul" },
  homepage: "http://seoul.test/",
  languages: ["en"],
};
const page: CataloguePage = {
  iri: "http://seoul.test/catalog?page=1",
  totalItems: 1,
  itemsPerPage: 100,
  first: "http://seoul.test/catalog?page=1",
  last: "http://seoul.test/catalog?page=1",
};
const dataset = (extra: Record<string, unknown>) => ({
  id: "http://busan.test/items/shelters",
  attributedTo: "http://busan.test/cities/busan",
  type: "Dataset",
  title: "Shelters",
  city: "Busan",
  country: "KR",
  version: 1,
  summary: "Where to shelter.",
  language: "ko",
  published: "2026-01-01T00:00:00Z",
  updated: "2026-01-02T00:00:00Z",
  publisher: { name: "Busan" },
  themes: ["public-safety", "smart-city"],
  accrualPeriodicity: "annual",
  license: "CC-BY-4.0",
  distributions: [{ downloadURL: "http://busan.test/files/shelters.csv", mediaType: "text/csv" }],
  ...extra,
});

async function turtleOf(document: Record<string, unknown>) {
  const quads = buildCatalogueGraph(
    catalogue,
    [{ document: storedDocument(document, "Dataset"), page: String(document.id) }],
    page,
  );
  return new Parser().parse(await serializeRdf(quads, "turtle"));
}

describe("buildCatalogueGraph()", () => {
  it("maps themes, frequency, file type and licence onto the EU vocabularies, and gives a download its access URL", async () => {
    const quads = await turtleOf(dataset({}));
    const of = (s: string, p: string) =>
      quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value);
    const d = "http://busan.test/items/shelters#dataset";
    const eu = "http://publications.europa.eu/resource/authority";
    expect(of(d, "http://www.w3.org/ns/dcat#theme").sort()).toEqual([
      `${eu}/data-theme/JUST`,
      `${eu}/data-theme/REGI`,
      `${eu}/data-theme/TECH`,
    ]);
    expect(of(d, "http://purl.org/dc/terms/accrualPeriodicity")).toEqual([`${eu}/frequency/ANNUAL`]);
    expect(of(d, "http://purl.org/dc/terms/language")).toEqual([`${eu}/language/KOR`]);
    const dist = "http://busan.test/items/shelters#distribution-1";
    expect(of(dist, "http://purl.org/dc/terms/format")).toEqual([`${eu}/file-type/CSV`]);
    expect(of(dist, "http://purl.org/dc/terms/license")).toEqual([`${eu}/licence/CC_BY_4_0`]);
    expect(of(dist, "http://www.w3.org/ns/dcat#accessURL")).toEqual(["http://busan.test/files/shelters.csv"]);
    expect(of(dist, "http://www.w3.org/ns/dcat#mediaType")).toEqual([
      "https://www.iana.org/assignments/media-types/text/csv",
    ]);
  });

  it("drops a URL that could break out of an IRI, so a document cannot write triples of its own", async () => {
    const hostile = 'http://busan.test/a> <http://evil.test/s> <http://evil.test/p> "x" . <http://busan.test/b';
    const quads = await turtleOf(dataset({ landingPage: hostile }));
    expect(quads.some((q) => q.subject.value.startsWith("http://evil.test"))).toBe(false);
    expect(quads.some((q) => q.object.value.includes("evil.test"))).toBe(false);
    expect(quads.some((q) => q.object.value === "http://www.w3.org/ns/dcat#Dataset")).toBe(true);
  });
});
