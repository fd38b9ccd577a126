import Router from "@koa/router";
import type { KeyStore } from "../signing/keys.ts";

/** Dependencies of the discovery routes. */
export interface WellKnownDeps {
  readonly keys: KeyStore;
  /** Whether the node is ready to answer searches (absent: no search, always ready). */
  readonly search?: { ready(): boolean };
  /** The database and the publisher's lock, for `/healthz` (absent: a node without federation). */
  readonly federationService?: {
    sharedWork(): Promise<{ database: string; publisherLocks: number; publisher: boolean }>;
  };
}

/** `/healthz` (live; the database and how many processes hold the publisher's lock), `/readyz` (ready for searches) and `/.well-known/jwks.json` (current and retired document-signing keys). */
export function createWellKnownRouter(deps: WellKnownDeps): Router {
  const router = new Router();
  // Liveness: the process answers. Readiness: it also answers searches rightly (its index
  // is built); a load balancer sends readers only to a ready node.
  const ready = () => deps.search?.ready() ?? true;
  router.get("/healthz", async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    // With several processes on one database: which database, and whether one of them (never
    // two) holds the publisher's lock. A database that does not answer leaves the process live.
    const shared = await deps.federationService?.sharedWork().catch(() => null);
    ctx.body = { ok: true, ready: ready(), ...(shared ? shared : {}) };
  });
  router.get("/readyz", (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.status = ready() ? 200 : 503;
    ctx.body = { ready: ready() };
  });
  router.get("/.well-known/jwks.json", async (ctx) => {
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.type = "application/jwk-set+json";
    ctx.body = JSON.stringify({ keys: await deps.keys.publicKeys() });
  });
  return router;
}
