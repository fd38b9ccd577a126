// Entry of the search index worker thread. Plain JavaScript on purpose: a worker does not
// inherit the parent's TypeScript loader in every runner (tsx CLI, `node --import tsx`,
// vitest), so it registers tsx itself, then loads the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./index-worker.ts");
