import { writeFileSync, renameSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parentPort } from "node:worker_threads";
import { toIndexDoc } from "./documents.ts";
import { corpusStatsOf, encodeSegments, type CorpusStats, type SegmentData } from "./segment.ts";
import { SegmentBuilder } from "./segment-build.ts";
import type { WorkerReply, WorkerRequest, WorkerRow } from "./worker-protocol.ts";

// Builds segments off the event loop. Builds are serial within one worker: the service
// runs one worker for small, frequent delta builds and another for compaction.

if (!parentPort) throw new TypeError("index-worker.ts must run in a worker thread");
const port = parentPort;

/** A build in progress: big builds go in pieces, which bounds the postings a builder holds. */
interface Build {
  builder: SegmentBuilder;
  readonly chunkDocs: number;
  readonly parts: SegmentData[];
}
const builds = new Map<number, Build>();
/** Statistics of the base, which delta builds score against. */
let corpus: CorpusStats | undefined;

function reply(message: WorkerReply): void {
  // Postings are in shared memory (segment-build.ts): shared with the main thread, not moved.
  const buffers =
    message.kind === "built"
      ? message.parts
          .flatMap((d) => [d.offsets.buffer, d.docs.buffer, d.weights.buffer])
          .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer)
      : [];
  port.postMessage(message, buffers);
}

function cut(build: Build): void {
  // Each piece is scored against the pieces before it, so that together they approach
  // the statistics of one index over everything.
  const before = build.parts.length > 0 ? corpusStatsOf(build.parts) : undefined;
  build.parts.push(build.builder.build(before));
  build.builder = new SegmentBuilder();
}

function addRows(build: Build, rows: readonly WorkerRow[]): void {
  for (const row of rows) {
    const document =
      typeof row.document === "string" ? (JSON.parse(row.document) as Record<string, unknown>) : row.document;
    build.builder.add(toIndexDoc({ ...row, document }));
    if (build.chunkDocs > 0 && build.builder.size >= build.chunkDocs) cut(build);
  }
}

port.on("message", (message: WorkerRequest) => {
  const { job } = message;
  try {
    switch (message.kind) {
      case "corpus": {
        const df = new Map<string, number>();
        message.terms.forEach((t, i) => df.set(t, message.dfs[i]!));
        corpus = { docCount: message.docCount, df, avgLengths: message.avgLengths };
        break;
      }
      case "begin":
        builds.set(job, { builder: new SegmentBuilder(), chunkDocs: message.chunkDocs ?? 0, parts: [] });
        break;
      case "add":
        addRows(builds.get(job)!, message.rows);
        reply({ kind: "added", job });
        break;
      case "end": {
        const build = builds.get(job)!;
        builds.delete(job);
        if (message.useCorpus) build.parts.push(build.builder.build(corpus));
        else if (build.builder.size > 0 || build.parts.length === 0) cut(build);
        if (message.file) {
          // Write beside, then rename: a crash leaves the old file or the new one, never half.
          mkdirSync(dirname(message.file), { recursive: true });
          const tmp = `${message.file}.tmp`;
          writeFileSync(tmp, encodeSegments(build.parts, message.extra ?? {}));
          renameSync(tmp, message.file);
        }
        reply({ kind: "built", job, parts: build.parts });
        break;
      }
    }
  } catch (error) {
    builds.delete(job);
    reply({ kind: "failed", job, message: String((error as Error)?.stack ?? error) });
  }
});
