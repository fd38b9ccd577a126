import { describe, expect, it } from "vitest";
import { toIndexDoc } from "./documents.ts";
import { LiveDocs } from "./live-docs.ts";
import { segmentOf, testHead } from "./test-fixtures.ts";
import { workerRowOf } from "./worker-protocol.ts";

const head = (title: string) => testHead(0, { title, summary: title });
const row = (title: string) => workerRowOf(head(title), head(title).document);

describe("LiveDocs", () => {
  it("addDelta() applies a build only to items whose latest change it holds", () => {
    const docs = new LiveDocs();
    docs.noteStored(row("first"));
    const first = docs.takePending();
    docs.noteStored(row("second")); // changed again while the first build ran
    const firstSeg = segmentOf([toIndexDoc(head("first"))]);
    docs.addDelta(firstSeg, first);
    expect(docs.size).toBe(0);
    expect(docs.segments).toEqual([]);
    const secondSeg = segmentOf([toIndexDoc(head("second"))]);
    docs.addDelta(secondSeg, docs.takePending());
    expect(docs.isCurrent(secondSeg, 0)).toBe(true);
    expect(docs.segments).toEqual([secondSeg]);
  });

  it("noteRemoved() takes an item out at once and drops its emptied segment", () => {
    const docs = new LiveDocs();
    docs.noteStored(row("gone soon"));
    const seg = segmentOf([toIndexDoc(head("gone soon"))]);
    docs.addDelta(seg, docs.takePending());
    expect(docs.isCurrent(seg, 0)).toBe(true);
    docs.noteRemoved(head("gone soon").id);
    expect(docs.isCurrent(seg, 0)).toBe(false);
    expect(docs.size).toBe(0);
    expect(docs.segments).toEqual([]);
    expect(docs.pendingCount).toBe(0);
  });

  it("isCurrent() is true only for an item's newest document: an update supersedes the one before", () => {
    const docs = new LiveDocs();
    docs.noteStored(row("version one"));
    const older = segmentOf([toIndexDoc(head("version one"))]);
    docs.addDelta(older, docs.takePending());
    docs.noteStored(row("version two"));
    const newer = segmentOf([toIndexDoc(head("version two"))]);
    docs.addDelta(newer, docs.takePending());
    expect(docs.isCurrent(older, 0)).toBe(false);
    expect(docs.isCurrent(newer, 0)).toBe(true);
    expect(docs.size).toBe(1);
  });
});
