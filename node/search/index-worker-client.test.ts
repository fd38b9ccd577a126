import { afterAll, describe, expect, it } from "vitest";
import { IndexWorkers } from "./index-worker-client.ts";
import { corpusStatsOf, type SegmentData } from "./segment.ts";
import { SegmentBuilder } from "./segment-build.ts";
import { sharedData } from "./shared-data.ts";
import { seoulDocs, testHead } from "./test-fixtures.ts";
import { workerRowOf } from "./worker-protocol.ts";

const BASE = [
  { title: "Park data", summary: "Parks of the city.", body: "Park paths and park toilets." },
  { title: "Bus data", summary: "Bus stops.", body: "Routes and timetables; park and ride." },
  { title: "Tax office", summary: "Opening hours.", body: "City offices and their data." },
];
const DELTA = [{ title: "Park map", summary: "A map of parks.", body: "Layers: parks, roads, rivers." }];

/** A segment's content as plain arrays. */
const plain = (d: SegmentData) => ({ ...d, offsets: [...d.offsets], docs: [...d.docs], weights: [...d.weights] });

const workers = new IndexWorkers(0);
afterAll(() => workers.close());

describe("IndexWorkers", () => {
  it("stops an idle delta thread; the next delta build starts another that scores against the base as before", async () => {
    const builder = new SegmentBuilder();
    for (const doc of seoulDocs(BASE)) builder.add(doc);
    const base = builder.build();
    const expected = new SegmentBuilder();
    for (const doc of seoulDocs(DELTA)) expected.add(doc);
    const reference = plain(expected.build(corpusStatsOf([base])));

    const rows = DELTA.map((d, i) => {
      const document = { ...d, city: "Seoul", country: "KR" };
      return workerRowOf(testHead(i, document), document);
    });
    expect(workers.deltaThreads()).toEqual({ running: false, started: 0 });
    workers.setCorpus([base]);
    const first = await workers.buildDelta(rows);
    while (workers.deltaThreads().running) await new Promise((r) => setTimeout(r, 5));
    const second = await workers.buildDelta(rows);
    expect(workers.deltaThreads().started).toBe(2);
    // Scored against the base: the same weights as a build given the base's statistics.
    expect(plain(first).weights).toEqual(reference.weights);
    expect(plain(second)).toEqual(plain(first));
    // Postings come back in shared memory, which the live index keeps without copying them.
    expect(sharedData(second).docs).toBe(second.docs);
    expect(second.weights.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
