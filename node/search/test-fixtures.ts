// Fixtures shared by the search unit tests (imported by *.test.ts only): items of a test
// node, their index documents, and segments built from them in memory.
import { type IndexDoc, type ItemHead, toIndexDoc } from "./documents.ts";
import { Segment } from "./segment.ts";
import { SegmentBuilder } from "./segment-build.ts";

/** Item `i` of the test node `https://x.test`: a local, verified case study filed under `city`. */
export function testHead(i: number, document: Record<string, unknown>, city = "Seoul"): ItemHead {
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

/** Index documents of `texts` (title, summary, body…), item `i` for the i-th text, each set in Seoul, KR. */
export function seoulDocs(texts: readonly Record<string, unknown>[]): IndexDoc[] {
  return texts.map((d, i) => toIndexDoc(testHead(i, { ...d, city: "Seoul", country: "KR" })));
}

/** A segment holding `docs`, document `k` for the k-th. */
export function segmentOf(docs: readonly IndexDoc[]): Segment {
  const builder = new SegmentBuilder();
  for (const doc of docs) builder.add(doc);
  return new Segment(builder.build());
}
