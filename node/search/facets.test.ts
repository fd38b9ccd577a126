import { describe, expect, it } from "vitest";
import { toIndexDoc, type ItemHead } from "./documents.ts";
import { Facets } from "./facets.ts";
import { Segment, SegmentBuilder } from "./segment.ts";

function head(i: number, city: string, document: Record<string, unknown>): ItemHead {
  return {
    id: `https://x.test/items/${i}`,
    type: "CaseStudy",
    origin: "https://x.test",
    local: true,
    verified: true,
    city,
    updated: "2026-01-01T00:00:00Z",
    published: "2026-01-01T00:00:00Z",
    document,
  };
}

/** Three items: two in Seoul (English), one in São Paulo (Portuguese). */
function segment(): Segment {
  const builder = new SegmentBuilder();
  const items = [
    head(0, "Seoul", { title: "Flood sensors", language: "en", tags: ["sensors"], startYear: 2015 }),
    head(1, "São Paulo", { title: "Participatory budgeting", language: "pt-BR", tags: ["budget"], startYear: 2012 }),
    head(2, "Seoul", { title: "Budget assemblies", language: "en", tags: ["budget"], startYear: 2012 }),
  ];
  for (const item of items) builder.add(toIndexDoc(item));
  return new Segment(builder.build());
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
