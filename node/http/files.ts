import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import Router from "@koa/router";
import { SAFE_NAME, type Uploads } from "../library/uploads.ts";

/** Dependencies of the seed-file route. */
export interface FilesDeps {
  /** Folder of files the node's seed datasets link to (`seeds/<city>/files`). */
  readonly seedFilesDir?: string;
  /** Files officials uploaded for datasets; served once an item naming them is published. */
  readonly uploads?: Uploads;
}

/**
 * Media types a browser would run or render as a page if it opened them: served as
 * bytes (the recorded type stays in the signed document).
 */
const ACTIVE_TYPES =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript|application\/x-shockwave-flash|application\/pdf)$/;

const TYPES: Record<string, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  geojson: "application/geo+json",
};
/** A seed file's name: one path segment of safe characters with a known extension, so no traversal is possible. */
export const SEED_FILE_NAME = /^[a-z0-9][a-z0-9._-]{0,120}\.(csv|json|geojson)$/;

/** `GET /files/:name`: the distributions of the city's seed datasets. */
export function createFilesRouter(deps: FilesDeps): Router {
  const router = new Router();
  router.get("/files/:name", async (ctx) => {
    const name = ctx.params.name ?? "";
    const match = SEED_FILE_NAME.exec(name);
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
  /**
   * `GET /files/:sha256/:name`: an uploaded file, by its SHA-256 (the name is only what the
   * download is called). Always an attachment, never sniffed, never a page; 404 until an
   * item naming it is published, so a draft's file stays private.
   */
  router.get("/files/:sha256/:name", async (ctx) => {
    const { sha256 = "", name = "" } = ctx.params;
    if (!deps.uploads || !SAFE_NAME.test(name)) return;
    const found = await deps.uploads.find(sha256);
    if (!found?.row.publishedAt) return;
    const info = await stat(found.path).catch(() => null);
    if (!info?.isFile()) return;
    const type = found.row.mediaType;
    ctx.type = ACTIVE_TYPES.test(type)
      ? "application/octet-stream"
      : type.startsWith("text/")
        ? `${type}; charset=utf-8`
        : type;
    ctx.length = info.size;
    ctx.set("Content-Disposition", `attachment; filename="${name}"`);
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.set("Content-Security-Policy", "default-src 'none'; sandbox");
    // Content-addressed: these bytes never change under this URL.
    ctx.set("Cache-Control", "public, max-age=31536000, immutable");
    ctx.set("ETag", `"${sha256}"`);
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.body = createReadStream(found.path);
  });
  return router;
}
