import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { poll } from "../cli/supervisor.ts";
import { openDatabase, type Orm } from "../db/orm.ts";
import { createPeerStore } from "../db/peer-store.ts";
import { createRunOnceLocks, type RunOnceLocks } from "../db/run-once.ts";
import { freshPostgresDatabase, testPostgresUrl } from "../db/test-databases.ts";
import { createLogger } from "../log.ts";
import { createOutbound } from "../net/outbound.ts";
import { createDocumentLoaders } from "./document-loader.ts";
import { createHealthProbe } from "./health-probe.ts";

// Work that runs once across processes sharing one PostgreSQL database, through its real
// parts: two stores with their own pools and locks (two processes), a real peer server.

const closing: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
});

/** One more process's store and locks on the database `url`. */
async function processOn(url: string): Promise<{ orm: Orm; locks: RunOnceLocks }> {
  const orm = await openDatabase({ dataDir: ":memory:", databaseUrl: url });
  const locks = createRunOnceLocks(orm);
  closing.push(async () => {
    await locks.close();
    await orm.close();
  });
  return { orm, locks };
}

describe.skipIf(!testPostgresUrl)(
  `run-once work across processes${testPostgresUrl ? "" : " (skipped: no PostgreSQL for this run)"}`,
  () => {
    it("the health probe's look runs in one process: the other's tick contacts no one while it goes on", async () => {
      // A peer that answers its actor document only when told to, and counts the requests.
      const held: ServerResponse[] = [];
      let requests = 0;
      const server: Server = createServer((_req, res) => {
        requests++;
        res.writeHead(200, { "content-type": "application/activity+json" });
        held.push(res);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      const peer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      closing.push(async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });
      const guard = createOutbound({ policy: { allowPrivate: true, allowedRanges: ["127.0.0.1"] } });
      closing.push(() => guard.close());

      const url = await freshPostgresDatabase(testPostgresUrl!);
      const [first, second] = [await processOn(url), await processOn(url)];
      const peers = createPeerStore(first.orm);
      await peers.remember({ actorId: `${peer}/cities/x` });
      await peers.update(`${peer}/cities/x`, { weFollow: "accepted" });
      const probeOf = (p: { orm: Orm; locks: RunOnceLocks }) =>
        createHealthProbe({
          peers: createPeerStore(p.orm),
          loadDocument: createDocumentLoaders({ outbound: guard }).freshLoader,
          logger: createLogger("error"),
          quietAfterMs: 0,
          locks: p.locks,
        });
      const [one, two] = [probeOf(first), probeOf(second)];

      const looking = one.tick();
      await poll("the first process to contact the peer", async () => requests === 1);
      expect(await two.tick()).toEqual([]);
      for (const res of held.splice(0)) res.end(JSON.stringify({ id: `${peer}/cities/x`, type: "Organization" }));
      expect(await looking).toEqual([`${peer}/cities/x`]);
      expect(requests).toBe(1);
      // The look is over: the next tick, in either process, runs.
      const again = two.tick();
      await poll("the second process to contact the peer", async () => requests === 2);
      for (const res of held.splice(0)) res.end(JSON.stringify({ id: `${peer}/cities/x`, type: "Organization" }));
      expect(await again).toEqual([`${peer}/cities/x`]);
      await Promise.all([one.close(), two.close()]);
    });
  },
);
