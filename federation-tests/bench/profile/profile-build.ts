/**
 * The search index's base build (what the compaction worker does) on the main thread, so that
 * `--cpu-prof`, `--heap-prof` and heap snapshots see it (the index workers start with
 * `execArgv: []`, so node's profiling flags never reach them). Loads the benchmark corpus into
 * a SQLite file, reads it as the compaction does, builds pieces of 2,000 items as the worker
 * does, and prints the memory at each step; with BENCH_SNAPSHOT=<folder> writes a heap
 * snapshot when the first piece's lunr builder is full (the build's peak).
 *
 *   nice -n 19 node --cpu-prof --heap-prof --import tsx federation-tests/bench/profile/profile-build.ts [items]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { toIndexDoc } from "../../../node/search/documents.ts";
import { corpusStatsOf, encodeSegments, type SegmentData } from "../../../node/search/segment.ts";
import { SegmentBuilder } from "../../../node/search/segment-build.ts";
import { searchableItems } from "../../../node/search/source.ts";
import { createTestLibrary, TEST_IDENTITY } from "../../../node/test-support.ts";
import { loadCorpus } from "../load-corpus.ts";

const SIZE = Number(process.argv[2] ?? 10_000);
const CHUNK = 2_000;

const memory = (label: string) => {
  const m = process.memoryUsage();
  const f = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  console.log(
    `${label.padEnd(44)} rss ${f(m.rss)}  heap ${f(m.heapUsed)}  external ${f(m.external)}  array buffers ${f(m.arrayBuffers)}`,
  );
};

const dir = mkdtempSync(join(tmpdir(), "wego-profile-build-"));
try {
  const t = await createTestLibrary(TEST_IDENTITY, join(dir, "data"));
  await loadCorpus(t, SIZE);
  memory(`loaded ${SIZE} items into SQLite`);
  const t0 = performance.now();
  const parts: SegmentData[] = [];
  let builder = new SegmentBuilder();
  let snapshotted = !process.env.BENCH_SNAPSHOT;
  for await (const rows of searchableItems(t.orm)) {
    for (const row of rows) {
      const document =
        typeof row.document === "string" ? (JSON.parse(row.document) as Record<string, unknown>) : row.document;
      builder.add(toIndexDoc({ ...row, document }));
      if (builder.size === CHUNK - 1 && !snapshotted) {
        memory("first piece's builder full");
        writeHeapSnapshot(join(process.env.BENCH_SNAPSHOT!, `build-${SIZE}.heapsnapshot`));
        snapshotted = true;
      }
      if (builder.size >= CHUNK) {
        const b0 = performance.now();
        parts.push(builder.build(parts.length > 0 ? corpusStatsOf(parts) : undefined));
        memory(`piece ${parts.length} built (${(performance.now() - b0).toFixed(0)} ms)`);
        builder = new SegmentBuilder();
      }
    }
  }
  if (builder.size > 0) parts.push(builder.build(corpusStatsOf(parts)));
  const bytes = encodeSegments(parts, {});
  memory(`all built, encoded ${(bytes.length / 2 ** 20).toFixed(1)} MB`);
  console.log(`build of ${SIZE} items: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await t.orm.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
