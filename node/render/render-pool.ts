import { Worker } from "node:worker_threads";
import { OnDemand } from "../on-demand.ts";
import { type RenderedFields, renderDocumentFields } from "./document-fields.ts";

/** Renders documents' Markdown fields (sanitized HTML) on a worker thread. */
export interface RenderPool {
  render(document: Record<string, unknown>): Promise<RenderedFields>;
  close(): Promise<void>;
  /** Whether a render thread runs now and has answered, and how many have been started (tests, benchmarks). */
  threads?(): { running: boolean; booted: boolean; started: number };
}

/** How long the render worker stays without work before it stops (a node at rest holds no render thread). */
const IDLE_MS = 30_000;

/** One render thread: answers once it has started (tsx, marked, sanitize-html: a second or more). */
interface RenderThread extends RenderPool {
  readonly ready: Promise<unknown>;
  booted(): boolean;
}

/**
 * A worker thread that renders Markdown, so publishing a batch keeps validating, signing
 * and storing on the main thread while the second core renders. Requests are answered in
 * order. The thread starts with the first request and stops after `idleMs` without one
 * (its heap, tsx and modules are tens of megabytes); until it has started, documents are
 * rendered on the calling thread, so the first publish after a quiet spell never waits for
 * the thread. An idle worker never keeps the process alive.
 */
export function createRenderPool(idleMs = IDLE_MS): RenderPool {
  const thread = new OnDemand(startRenderWorker, idleMs);
  return {
    render(document) {
      const running = thread.peek();
      if (running?.booted()) return thread.use((worker) => worker.render(document));
      if (!running) void thread.use((worker) => worker.ready).catch(() => {});
      return Promise.resolve().then(() => renderDocumentFields(document));
    },
    close: () => thread.close(),
    threads: () => {
      const running = thread.peek();
      return { running: running !== undefined, booted: running?.booted() ?? false, started: thread.started };
    },
  };
}

function startRenderWorker(): RenderThread {
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
  const render = (document: Record<string, unknown>): Promise<RenderedFields> => {
    if (failure) return Promise.reject(failure);
    const id = next++;
    if (waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, document });
    });
  };
  let booted = false;
  // The first answer (of an empty document) says the thread has loaded its modules.
  const ready = render({}).then(() => (booted = true));
  ready.catch(() => {});
  return {
    render,
    ready,
    booted: () => booted && !failure,
    async close() {
      await worker.terminate();
    },
  };
}
