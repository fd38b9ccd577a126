import { Worker } from "node:worker_threads";
import { OnDemand } from "../on-demand.ts";
import type { RenderedFields } from "./document-fields.ts";

/** Renders documents' Markdown fields (sanitized HTML) on a worker thread. */
export interface RenderPool {
  render(document: Record<string, unknown>): Promise<RenderedFields>;
  close(): Promise<void>;
  /** Whether a render thread runs now, and how many have been started (tests, benchmarks). */
  threads?(): { running: boolean; started: number };
}

/** How long the render worker stays without work before it stops (a node at rest holds no render thread). */
const IDLE_MS = 30_000;

/**
 * A worker thread that renders Markdown, so publishing a batch keeps validating, signing
 * and storing on the main thread while the second core renders. Requests are answered in
 * order. The thread starts with the first request and stops after `idleMs` without one
 * (its heap, tsx and modules are tens of megabytes); an idle worker never keeps the process alive.
 */
export function createRenderPool(idleMs = IDLE_MS): RenderPool {
  const thread = new OnDemand(startRenderWorker, idleMs);
  return {
    render: (document) => thread.use((worker) => worker.render(document)),
    close: () => thread.close(),
    threads: () => ({ running: thread.peek() !== undefined, started: thread.started }),
  };
}

function startRenderWorker(): RenderPool {
  const worker = new Worker(new URL("./render-worker-boot.mjs", import.meta.url), {
    name: "wego-render",
    execArgv: [],
  });
  worker.unref();
  const waiting = new Map<number, { resolve: (html: RenderedFields) => void; reject: (e: Error) => void }>();
  let next = 1;
  let failure: Error | undefined;
  worker.on("message", (reply: { id: number; html?: RenderedFields; error?: string }) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (waiting.size === 0) worker.unref();
    if (reply.html) w.resolve(reply.html);
    else w.reject(new Error(`rendering failed: ${reply.error}`));
  });
  const fail = (error: Error) => {
    failure = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`render worker exited (code ${code})`)));
  return {
    render(document) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      if (waiting.size === 0) worker.ref();
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, document });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
