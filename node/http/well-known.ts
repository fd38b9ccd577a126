import Router from "@koa/router";
import type { KeyStore } from "../signing/keys.ts";

/** Dependencies of the discovery routes. */
export interface WellKnownDeps {
  readonly keys: KeyStore;
}

/** `/healthz` and `/.well-known/jwks.json` (current and retired document-signing keys). */
export function createWellKnownRouter(deps: WellKnownDeps): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { ok: true };
  });
  router.get("/.well-known/jwks.json", async (ctx) => {
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.type = "application/jwk-set+json";
    ctx.body = JSON.stringify({ keys: await deps.keys.publicKeys() });
  });
  return router;
}
