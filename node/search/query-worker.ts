import { parentPort, workerData } from "node:worker_threads";
import { Facets } from "./facets.ts";
import type { Pointer } from "./live-docs.ts";
import { QueryError } from "./query.ts";
import type { QueryReply, QueryRequest, QueryWorkerData, WireError } from "./query-protocol.ts";
import { type IndexView, Searcher } from "./searcher.ts";
import { Segment } from "./segment.ts";
import type { SnippetText } from "./snippet.ts";

// A query thread (query-pool.ts starts them): answers searches with the same Searcher as the
// main thread, over a view of the live index. The postings and each segment's `current`
// bytes are the main thread's, in shared memory; which segments there are comes in a
// `segments` message, always before the query it applies to.

const port = parentPort;
if (!port) throw new TypeError("query-worker.ts runs as a worker thread");
const options = workerData as QueryWorkerData;

const known = new Map<number, Segment>();
let list: Segment[] = [];
let base = -1;
const facets = new Facets();

const view: IndexView = {
  get segments() {
    return list;
  },
  isCurrent: (seg, doc) => seg.current[doc] === 1,
  *live(): Generator<Pointer> {
    for (const seg of list) for (let doc = 0; doc < seg.size; doc++) if (seg.current[doc] === 1) yield { seg, doc };
  },
};

const waiting = new Map<number, { resolve: (t: Map<string, SnippetText>) => void; reject: (e: Error) => void }>();
let nextReq = 1;

const searcher = new Searcher({
  index: view,
  facets,
  queryLimits: options.queryLimits,
  querySliceMs: options.querySliceMs,
  snippets: {
    texts: (ids, maxBody) =>
      new Promise((resolve, reject) => {
        const req = nextReq++;
        waiting.set(req, { resolve, reject });
        post({ kind: "texts", req, ids, maxBody });
      }),
  },
});

function post(reply: QueryReply): void {
  port!.postMessage(reply);
}

function wireError(error: unknown): WireError {
  if (error instanceof QueryError) {
    const { name, message, start, end, reason, term, limit } = error;
    return { name, message, start, end, reason, term, limit };
  }
  return { name: "Error", message: error instanceof Error ? error.message : String(error) };
}

port.on("message", (message: QueryRequest) => {
  switch (message.kind) {
    case "segments": {
      for (const s of message.add) known.set(s.id, new Segment(s.data, s.current));
      const ids = new Set(message.list);
      for (const id of known.keys()) if (!ids.has(id)) known.delete(id);
      list = message.list.map((id) => known.get(id)!);
      if (message.base !== base) {
        base = message.base;
        facets.reset();
      }
      return;
    }
    case "search":
      searcher.search(message.query).then(
        (response) => post({ kind: "result", job: message.job, response, facetValues: facets.size() }),
        (error: unknown) => post({ kind: "failed", job: message.job, error: wireError(error) }),
      );
      return;
    case "texts": {
      const w = waiting.get(message.req);
      waiting.delete(message.req);
      if (message.texts) w?.resolve(message.texts);
      else w?.reject(new Error(message.error ?? "snippet texts unavailable"));
      return;
    }
  }
});
post({ kind: "ready" });
