// Entry of the search worker threads (the index builder by default; `workerData.module`
// names another, such as query-worker.ts). Plain JavaScript on purpose: a worker does not
// inherit the parent's TypeScript loader in every runner (tsx CLI, `node --import tsx`,
// vitest), so it registers tsx itself, then loads the TypeScript worker.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData?.module ?? "./index-worker.ts");
