import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Orm } from "../db/orm.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { createPeerStore, type PeerStore, type PeerView } from "../db/peer-store.ts";
import { createLogger } from "../log.ts";
import { createOutbound, type Outbound } from "../net/outbound.ts";
import { createDocumentLoaders } from "./document-loader.ts";
import { createHealthProbe } from "./health-probe.ts";

// A real peer server that answers its actor document (or 502 when told to), a real closed
// port, a real database: the probe reaches them through the real outbound guard.

let orm: Orm;
let peers: PeerStore;
let guard: Outbound;
let server: Server;
let up: string;
let down: string;
let answer502 = false;

async function viewOf(actor: string): Promise<PeerView> {
  return (await peers.list({})).find((p) => p.actor === actor)!;
}

describeEachDatabase("peer health probes", (database) => {
  beforeAll(async () => {
    orm = await database.open();
    peers = createPeerStore(orm);
    guard = createOutbound({ policy: { allowPrivate: true, allowedRanges: ["127.0.0.1"] } });
    server = createServer((req, res) => {
      if (answer502) return void res.writeHead(502).end("bad gateway");
      res.writeHead(200, { "content-type": "application/activity+json" });
      res.end(JSON.stringify({ id: `${up}${req.url}`, type: "Organization" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    up = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", () => resolve()));
    down = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    for (const origin of [up, down]) {
      await peers.remember({ actorId: `${origin}/cities/x` });
      await peers.update(`${origin}/cities/x`, { weFollow: "accepted" });
    }
    // Not an established peering: never probed.
    await peers.remember({ actorId: `${up}/cities/asking` });
    await peers.update(`${up}/cities/asking`, { theyFollow: "pending" });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await guard.close();
    await orm.close();
  });

  describe("createHealthProbe()", () => {
    it("tick() contacts quiet established peers: the one that is down fails with 'connection refused', the one that answers is healthy", async () => {
      const probe = createHealthProbe({
        peers,
        loadDocument: createDocumentLoaders({ outbound: guard }).freshLoader,
        logger: createLogger("error"),
        intervalMs: 0,
      });
      const contacted = await probe.tick();
      expect(contacted.sort()).toEqual([`${down}/cities/x`, `${up}/cities/x`].sort());
      expect(await viewOf(`${down}/cities/x`)).toMatchObject({
        healthy: false,
        lastError: "connection refused (reading their actor)",
      });
      expect(await viewOf(`${up}/cities/x`)).toMatchObject({ healthy: true, lastError: null });
      expect((await viewOf(`${up}/cities/x`)).lastSeen).not.toBeNull();

      // Just contacted and healthy: not due. Failing: due again at the next look.
      expect(await probe.tick()).toEqual([`${down}/cities/x`]);
      await probe.close();
    });

    it("a peer answering 502 to its probe shows failing with 'answered HTTP 502'", async () => {
      const actor = `${up}/cities/x`;
      const probe = createHealthProbe({
        peers,
        loadDocument: createDocumentLoaders({ outbound: guard }).freshLoader,
        logger: createLogger("error"),
        quietAfterMs: 0,
      });
      answer502 = true;
      try {
        expect(await probe.tick()).toContain(actor);
      } finally {
        answer502 = false;
      }
      expect(await viewOf(actor)).toMatchObject({
        healthy: false,
        lastError: "answered HTTP 502 (reading their actor)",
      });
      // It answered, wrongly: a probe that reads its actor fine would not prove the rest works.
      expect(await probe.tick()).not.toContain(actor);
      await probe.close();
    });
  });
});
