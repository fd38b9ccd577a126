import { writeFileSync, renameSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parentPort } from "node:worker_threads";
import { toIndexDoc, type ItemHead } from "./documents.ts";
import { encodeSegment, SegmentBuilder, type CorpusStats, type SegmentData } from "./segment.ts";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.ts";

// Builds segments off the event loop. Builds are serial within one worker: the service
// runs one worker for small, frequent delta builds and another for compaction.

if (!parentPort) throw new TypeError("index-worker.ts must run in a worker thread");
const port = parentPort;
const builds = new Map<number, SegmentBuilder>();
let corpus: CorpusStats | undefined;

function reply(message: WorkerReply, data?: SegmentData): void {
  port.postMessage(message, data ? [data.offsets.buffer as ArrayBuffer, data.docs.buffer as ArrayBuffer, data.weights.buffer as ArrayBuffer] : []);
}

function addRows(builder: SegmentBuilder, rows: readonly (ItemHead | (Omit<ItemHead, "document"> & { document: string }))[]): void {
  for (const row of rows) {
    const document = typeof row.document === "string" ? (JSON.parse(row.document) as Record<string, unknown>) : row.document;
    builder.add(toIndexDoc({ ...row, document }));
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
        builds.set(job, new SegmentBuilder());
        break;
      case "add":
        addRows(builds.get(job)!, message.rows);
        break;
      case "end": {
        const builder = builds.get(job)!;
        builds.delete(job);
        const data = builder.build(message.useCorpus ? corpus : undefined);
        if (message.file) {
          // Write beside, then rename: a crash leaves the old file or the new one, never half.
          mkdirSync(dirname(message.file), { recursive: true });
          const tmp = `${message.file}.tmp`;
          writeFileSync(tmp, encodeSegment(data, message.extra ?? {}));
          renameSync(tmp, message.file);
        }
        reply({ kind: "built", job, data }, data);
        break;
      }
    }
  } catch (error) {
    builds.delete(job);
    reply({ kind: "failed", job, message: String((error as Error)?.stack ?? error) });
  }
});
