import { describe, expect, it } from "vitest";
import { compileQuery } from "./query.ts";
import { runQuery } from "./run-query.ts";
import { decodeSegment, encodeSegment, Segment, SegmentBuilder } from "./segment.ts";
import { seoulDocs } from "./test-fixtures.ts";

const DOCS = seoulDocs([
  {
    title: "Park data for every city park",
    summary: "Where the parks are.",
    body: "Data about park paths, park toilets and park opening hours.",
  },
  { title: "Bus data", summary: "Bus stops of the city.", body: "Stops, routes and timetables. A park and ride list." },
  {
    title: "Tax office hours",
    summary: "When offices open.",
    body: "Nothing about parks here, only city offices and their data.",
  },
  {
    title: "City map",
    summary: "A map of the city with data layers.",
    body: "Layers: parks, roads, rivers, city districts.",
  },
]);

function build(): { builder: SegmentBuilder; other: SegmentBuilder } {
  const builder = new SegmentBuilder();
  const other = new SegmentBuilder();
  for (const d of DOCS) {
    builder.add(d);
    other.add(d);
  }
  return { builder, other };
}

describe("segments", () => {
  it("runQuery() scores exactly as lunr's Index#search on the same index", () => {
    const { builder, other } = build();
    const segment = new Segment(builder.build());
    const lunrIndex = other.buildLunr();
    // Words under five letters that are their own stem: no typo alternatives and no
    // stemming, so lunr (whose search pipeline is empty here) runs the same terms.
    for (const q of ["park", "map data", "title:data", "+data -tax", "map park", "-park"]) {
      const ours = runQuery(segment, compileQuery(q));
      const theirs = new Map(lunrIndex.search(q).map((r) => [Number(r.ref), r.score]));
      expect(new Set(ours.docs), q).toEqual(new Set(theirs.keys()));
      ours.docs.forEach((doc, k) => expect(ours.scores[k], `${q} #${doc}`).toBeCloseTo(theirs.get(doc)!, 4));
    }
  });

  it("decodeSegment() reads back what encodeSegment() wrote, and refuses anything else", () => {
    const data = build().builder.build();
    const decoded = decodeSegment(encodeSegment(data, { seq: 42 }));
    expect(decoded?.extra).toEqual({ seq: 42 });
    expect(decoded?.data.terms).toEqual(data.terms);
    expect(decoded?.data.metas).toEqual(data.metas);
    expect([...decoded!.data.weights]).toEqual([...data.weights]);
    expect([...decoded!.data.offsets]).toEqual([...data.offsets]);
    expect(decodeSegment(Buffer.from("not a segment"))).toBeNull();
    const truncated = encodeSegment(data, {}).subarray(0, -4);
    expect(decodeSegment(Buffer.from(truncated))).toBeNull();
  });
});
