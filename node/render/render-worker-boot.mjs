// Entry of the Markdown rendering worker thread. Plain JavaScript on purpose: a worker does
// not inherit the parent's TypeScript loader in every runner, so it registers tsx itself.
import { register } from "tsx/esm/api";

register();
await import("./render-worker.ts");
