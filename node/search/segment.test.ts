import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type IndexDoc, toIndexDoc } from "./documents.ts";
import { LunrSegmentBuilder } from "./lunr-segment.ts";
import { compileQuery } from "./query.ts";
import { runQuery } from "./run-query.ts";
import { corpusStatsOf, decodeSegment, encodeSegment, Segment, type SegmentData } from "./segment.ts";
import { SegmentBuilder } from "./segment-build.ts";
import { seoulDocs, testHead } from "./test-fixtures.ts";

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

function build(): { builder: SegmentBuilder; other: LunrSegmentBuilder } {
  const builder = new SegmentBuilder();
  const other = new LunrSegmentBuilder();
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
    expect(decoded!.data.docs.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(decodeSegment(Buffer.from("not a segment"))).toBeNull();
    const truncated = encodeSegment(data, {}).subarray(0, -4);
    expect(decodeSegment(Buffer.from(truncated))).toBeNull();
  });

  it("SegmentBuilder builds, without lunr, the very segment lunr's Builder gives: terms, words, postings, weights", () => {
    // Every seed of every city (English, Korean, Mongolian; every type and field), twice over
    // in two pieces, the second scored against the first as a compaction and a delta do.
    const docs = seedDocs();
    const first = docs.slice(0, Math.ceil(docs.length / 2));
    const second = [...docs.slice(first.length), ...first.slice(0, 5)];
    const pieces = (make: () => SegmentBuilder | LunrSegmentBuilder) => {
      const a = make();
      for (const d of first) a.add(d);
      const one = a.build();
      const b = make();
      for (const d of second) b.add(d);
      return [one, b.build(corpusStatsOf([one])), make().build()];
    };
    const lunr = pieces(() => new LunrSegmentBuilder()).map(plain);
    // Native memory in the default chunks (one here), and in chunks of 7 postings (hundreds).
    const ours = pieces(() => new SegmentBuilder());
    expect(ours[0]!.terms.length).toBeGreaterThan(1000);
    expect(ours[0]!.terms.some((t) => /[가-힣]/.test(t))).toBe(true);
    expect(ours.map(plain)).toEqual(lunr);
    expect(pieces(() => new SegmentBuilder(7)).map(plain)).toEqual(lunr);
  });
});

/** Index documents of the seeds of every city. */
function seedDocs(): IndexDoc[] {
  const seeds = new URL("../../seeds/", import.meta.url).pathname;
  const out: IndexDoc[] = [];
  for (const city of readdirSync(seeds, { withFileTypes: true }).filter((d) => d.isDirectory()))
    for (const file of readdirSync(join(seeds, city.name)).filter((f) => f.endsWith(".json")))
      out.push(toIndexDoc(testHead(out.length, JSON.parse(readFileSync(join(seeds, city.name, file), "utf8")))));
  return out;
}

/** A segment's content as plain arrays (typed arrays compared value by value). */
function plain(d: SegmentData): Record<string, unknown> {
  return { ...d, offsets: [...d.offsets], docs: [...d.docs], weights: [...d.weights] };
}
