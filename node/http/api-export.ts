import { Readable } from "node:stream";
import Router from "@koa/router";
import type { NodeIdentity } from "../library/identity.ts";
import type { Library } from "../library/library.ts";
import { HttpError } from "./errors.ts";
import { oneParam } from "./params.ts";

/** Dependencies of `/api/export`. */
export interface ExportApiDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
}

/**
 * `GET /api/export[?scope=network]`: the signed library as NDJSON, one `{"document","jws"}` a
 * line, streamed a page of rows at a time: the node's own live items, or with `scope=network`
 * every verified item it holds. `document` is the canonical JSON that was signed, byte for
 * byte, so each line verifies offline (`wego verify-bundle`). Drafts and deleted items are
 * not in it.
 */
export function createExportRouter(deps: ExportApiDeps): Router {
  const router = new Router();
  router.get("/api/export", (ctx) => {
    const scope = oneParam(ctx, "scope") ?? "local";
    if (scope !== "local" && scope !== "network")
      throw new HttpError(400, 'scope must be "local" or "network"', [
        { path: "scope", message: 'must be "local" or "network"' },
      ]);
    const items = deps.library.signedItems(scope);
    async function* lines(): AsyncGenerator<string> {
      for await (const { document, jws } of items) yield `{"document":${document},"jws":${JSON.stringify(jws)}}\n`;
    }
    const day = new Date().toISOString().slice(0, 10);
    ctx.type = "application/x-ndjson; charset=utf-8";
    ctx.set(
      "Content-Disposition",
      `attachment; filename="wego-${deps.identity.city}-${scope === "network" ? "network" : "library"}-${day}.ndjson"`,
    );
    ctx.body = Readable.from(lines());
  });
  return router;
}
