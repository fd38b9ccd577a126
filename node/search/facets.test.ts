import { describe, expect, it } from "vitest";
import { toIndexDoc } from "./documents.ts";
import { Facets } from "./facets.ts";
import type { Segment } from "./segment.ts";
import { segmentOf, testHead } from "./test-fixtures.ts";

/** Three items: two in Seoul (English), one in São Paulo (Portuguese). */
function segment(): Segment {
  const items = [
    testHead(0, { title: "Flood sensors", language: "en", tags: ["sensors"], startYear: 2015 }, "Seoul"),
    testHead(
      1,
      { title: "Participatory budgeting", language: "pt-BR", tags: ["budget"], startYear: 2012 },
      "São Paulo",
    ),
    testHead(2, { title: "Budget assemblies", language: "en", tags: ["budget"], startYear: 2012 }, "Seoul"),
  ];
  return segmentOf(items.map(toIndexDoc));
}

describe("Facets", () => {
  const seg = segment();
  const all = { segs: [seg, seg, seg], docs: [0, 1, 2] };

  it("count() keeps the hits passing every filter, and counts each facet without its own filter", () => {
    const { kept, facets } = new Facets().count([seg], all, { city: "são paulo" });
    expect(kept).toEqual([1]);
    expect(facets.city).toEqual({ Seoul: 2, "São Paulo": 1 });
    expect(facets.lang).toEqual({ "pt-BR": 1 });
    expect(facets.tag).toEqual({ budget: 1 });
  });

  it("count() matches a language by its prefix and a tag regardless of case", () => {
    expect(new Facets().count([seg], all, { lang: "pt" }).kept).toEqual([1]);
    expect(new Facets().count([seg], all, { tag: "BUDGET", year: 2012 }).kept).toEqual([1, 2]);
  });

  it("reset() forgets the interned values", () => {
    const facets = new Facets();
    facets.count([seg], all, {});
    // Types 1, cities 2, tags 2, languages 2, years 2.
    expect(facets.size()).toBe(9);
    facets.reset();
    expect(facets.size()).toBe(0);
  });
});
