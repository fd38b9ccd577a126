import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import Router from "@koa/router";

/** Dependencies of the seed-file route. */
export interface FilesDeps {
  /** Folder of files the node's seed datasets link to (`seeds/<city>/files`). */
  readonly seedFilesDir?: string;
}

const TYPES: Record<string, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  geojson: "application/geo+json",
};
// One path segment of safe characters with a known extension: no traversal possible.
const NAME = /^[a-z0-9][a-z0-9._-]{0,120}\.(csv|json|geojson)$/;

/** `GET /files/:name`: the distributions of the city's seed datasets. */
export function createFilesRouter(deps: FilesDeps): Router {
  const router = new Router();
  router.get("/files/:name", async (ctx) => {
    const name = ctx.params.name ?? "";
    const match = NAME.exec(name);
    if (!deps.seedFilesDir || !match || name.includes("..")) return;
    const path = join(deps.seedFilesDir, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return;
    ctx.type = TYPES[match[1]!]!;
    ctx.length = info.size;
    ctx.set("Cache-Control", "public, max-age=3600");
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.body = createReadStream(path);
  });
  return router;
}
