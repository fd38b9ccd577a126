/**
 * The search base at sizes where a SQLite corpus takes too long to fill (100,000 items): the
 * benchmark corpus generated in memory, built in pieces of 2,000 as the compaction worker
 * does (on this thread), saved as a node saves it; then what a restart does before its first
 * answer: read the file, make the segments, point every item at its document (LiveDocs), and
 * run one query over every piece. What a real restart adds is SQLite's catch-up (ids changed
 * since the base, every live id) and the service's set-up: `bench:search` measures those at
 * 10,000.
 *
 *   node --import tsx federation-tests/bench/profile/profile-load.ts [items]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { readBaseFile } from "../../../node/search/base-file.ts";
import { toIndexDoc } from "../../../node/search/documents.ts";
import { LiveDocs } from "../../../node/search/live-docs.ts";
import { compileQuery } from "../../../node/search/query.ts";
import { runQuery } from "../../../node/search/run-query.ts";
import { corpusStatsOf, encodeSegments, Segment, type SegmentData } from "../../../node/search/segment.ts";
import { SegmentBuilder } from "../../../node/search/segment-build.ts";
import { testHead } from "../../../node/search/test-fixtures.ts";
import { generateDraft } from "../corpus.ts";

const SIZE = Number(process.argv[2] ?? 100_000);
const CHUNK = 2_000;

const memory = (label: string) => {
  const m = process.memoryUsage();
  const f = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  console.log(
    `${label.padEnd(40)} rss ${f(m.rss)}  heap ${f(m.heapUsed)}  array buffers ${f(m.arrayBuffers)}  peak rss ${f(process.resourceUsage().maxRSS * 1024)}`,
  );
};

const dir = mkdtempSync(join(tmpdir(), "wego-profile-load-"));
const file = join(dir, "base.segs");
try {
  memory("start");
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let parts: SegmentData[] = [];
  let builder = new SegmentBuilder();
  for (let i = 0; i < SIZE; i++) {
    builder.add(toIndexDoc(testHead(i, { id: `https://x.test/items/bench-${i}`, ...generateDraft(i) })));
    if (builder.size >= CHUNK || i === SIZE - 1) {
      parts.push(builder.build(parts.length > 0 ? corpusStatsOf(parts) : undefined));
      builder = new SegmentBuilder();
      if (parts.length % 10 === 0) memory(`${parts.length} pieces built`);
    }
  }
  const buildMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  writeFileSync(file, encodeSegments(parts, { seq: SIZE }));
  memory(
    `built ${SIZE} items in ${(buildMs / 1000).toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s), saved`,
  );
  parts = [];

  const r0 = performance.now();
  const saved = await readBaseFile(file);
  if (!saved.ok) throw new Error("the base did not read back");
  const r1 = performance.now();
  const segments = saved.parts.map((d) => new Segment(d));
  const r2 = performance.now();
  const docs = new LiveDocs();
  docs.loadBase(segments);
  const r3 = performance.now();
  const query = compileQuery("complaint response");
  let hits = 0;
  for (const seg of segments) hits += runQuery(seg, query).docs.length;
  const r4 = performance.now();
  const ms = (a: number, b: number) => `${(b - a).toFixed(0)} ms`;
  console.log(
    `restart of ${SIZE} items: read and decode ${ms(r0, r1)}, segments ${ms(r1, r2)}, live docs ${ms(r2, r3)}, first query (${hits} hits) ${ms(r3, r4)}: ${ms(r0, r4)} in all`,
  );
  memory("loaded");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
