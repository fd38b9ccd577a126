import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../node/db/orm.ts";
import { createQueueTable } from "../../node/db/queue-table.ts";
import { freshPostgresDatabase, testPostgresUrl } from "../../node/db/test-databases.ts";
import {
  api,
  caseDraft,
  createCluster,
  heldVersion,
  peer,
  peerState,
  type CityNode,
  type Cluster,
} from "../federation/cluster.ts";
import { startOriginProxy, type Exchange, type OriginProxy } from "../origin-proxy.ts";
import { createTokenAsync, poll, removeDir, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";

// Two `wego serve` processes on one PostgreSQL database behind one origin (a small proxy,
// as a load balancer), peered with a third node on SQLite behind a proxy of its own that
// records what it is sent and can make it slow (issue 15). What is published through
// process 1 is searchable through process 2 and delivered once; process 1 SIGKILLed in the
// middle of a fan-out leaves process 2 to finish it; a backfill asked of both runs once.

/** Each process's claimed deliveries come back this soon after it dies. */
const LEASE_MS = 4_000;
/** Deliveries one process runs at once (node/main.ts): the most it can leave half-done. */
const WORKERS_PER_PROCESS = 8;

const skip = !testPostgresUrl;
let cluster: Cluster;
let seoulProxy: OriginProxy;
let busanProxy: OriginProxy;
let database: string;
let one: NodeProcess;
let two: NodeProcess;
/** Seoul as its peer sees it: the origin behind the proxy, an admin token. */
let seoul: CityNode;
/** Busan at its proxied origin. */
let busan: CityNode;
/** Delays the proxy in front of Busan adds, set by each test. */
const slow = { inboxMs: 0, outboxMs: 0 };
const dirs: string[] = [];

beforeAll(async () => {
  if (skip) return;
  cluster = createCluster();
  busanProxy = await startOriginProxy({
    backends: () => [busanDirect.url],
    delayMs: (method, path) =>
      method === "POST" && path.endsWith("inbox")
        ? slow.inboxMs
        : method === "GET" && path.startsWith("/cities/busan/outbox")
          ? slow.outboxMs
          : 0,
  });
  const busanDirect = await cluster.start("busan", { seed: true, args: ["--origin", busanProxy.url] });
  busan = { ...busanDirect, actor: `${busanProxy.url}/cities/busan` };

  const running: NodeProcess[] = [];
  seoulProxy = await startOriginProxy({ backends: () => running.filter((p) => p.isRunning()).map((p) => p.url) });
  database = await freshPostgresDatabase(testPostgresUrl!);
  const [first, second] = [tempDir("pg-fanout-1"), tempDir("pg-fanout-2")];
  dirs.push(first, second);
  const args = ["--city", "seoul", "--no-seed", "--database", database, "--origin", seoulProxy.url];
  const env = { WEGO_QUEUE_LEASE_MS: String(LEASE_MS) };
  one = await startNodeProcess({ dataDir: first, args, env });
  copyFileSync(join(first, "secret.key"), join(second, "secret.key"));
  two = await startNodeProcess({ dataDir: second, args, env });
  running.push(one, two);
  const token = await createTokenAsync(first, "admin", "admin", ["--database", database]);
  seoul = {
    city: "seoul",
    dataDir: first,
    token,
    node: one,
    url: seoulProxy.url,
    actor: `${seoulProxy.url}/cities/seoul`,
  };

  // Busan follows Seoul and Seoul follows Busan, every request through the proxies.
  await peer(busan, seoul);
  await peer(seoul, busan);
}, 240_000);

afterAll(async () => {
  if (skip) return;
  await Promise.all([one?.kill(), two?.kill()]);
  await cluster?.stop();
  await Promise.all([seoulProxy?.close(), busanProxy?.close()]);
  for (const d of dirs) removeDir(d);
});

/** Seoul as one of its processes answers it (its own port, the same token). */
const through = (proc: NodeProcess): CityNode => ({ ...seoul, url: proc.url });

/** The activity id a delivery to Busan carried, or null for one that is not JSON. */
function activityId(exchange: Exchange): string | null {
  try {
    return String((JSON.parse(exchange.body) as { id?: unknown }).id);
  } catch {
    return null;
  }
}

/** How many times Busan accepted (2xx) the delivery of each of `ids`, by id. */
function acceptedDeliveries(ids: readonly string[]): Map<string, number> {
  const counts = new Map(ids.map((id) => [id, 0]));
  for (const e of busanProxy.exchanges) {
    if (e.method !== "POST" || e.status < 200 || e.status >= 300) continue;
    const id = activityId(e);
    if (id && counts.has(id)) counts.set(id, counts.get(id)! + 1);
  }
  return counts;
}

/** Deliveries waiting in the queue the Seoul processes share. */
async function queued(): Promise<number> {
  const orm = await openDatabase({ dataDir: seoul.dataDir, databaseUrl: database });
  try {
    return await createQueueTable(orm).count();
  } finally {
    await orm.close();
  }
}

/** The state of Seoul's backfill of Busan, as the peers API reports it. */
async function backfillOfBusan(): Promise<string | undefined> {
  const { body } = await api(seoul, "/api/peers");
  return (body.peers as { actor: string; backfill: { state: string } }[]).find((p) => p.actor === busan.actor)?.backfill
    .state;
}

const createOf = (id: string) => `${id}#v1-create`;

describe.skipIf(skip)(
  `two wego serve processes on one PostgreSQL behind one origin, peered with a node on SQLite${skip ? " (skipped: no PostgreSQL for this run)" : ""}`,
  () => {
    it("a backfill asked of both processes at once walks the peer's outbox once", { timeout: 120_000 }, async () => {
      await poll("Seoul's first backfill of Busan to end", async () => (await backfillOfBusan()) === "done");
      // A slow peer: the walk outlasts the two requests by far.
      slow.outboxMs = 1_500;
      const from = busanProxy.exchanges.length;
      try {
        const answers = await Promise.all(
          [one, two].map((p) => api(through(p), "/api/peers/resync", { json: { actor: busan.actor } })),
        );
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
        await poll("the backfill to end", async () => (await backfillOfBusan()) === "done", 60_000);
      } finally {
        slow.outboxMs = 0;
      }
      const outboxReads = busanProxy.exchanges
        .slice(from)
        .filter((e) => e.method === "GET" && e.path === "/cities/busan/outbox");
      expect(outboxReads).toHaveLength(1);
      expect(`${one.output()}${two.output()}`).toContain("backfill left to the process already running it");
    });

    it("published through process 1: searchable through process 2 within 2 s, and delivered to the peer once", {
      timeout: 120_000,
    }, async () => {
      const posted = await api(through(one), "/api/items", {
        json: caseDraft("Tidal energy cooperatives on the islands"),
      });
      expect(posted.status).toBe(201);
      const id = posted.body.id as string;
      const committed = Date.now();
      await poll(
        "process 2 to find the item published through process 1",
        async () => {
          const { body } = await api(through(two), "/api/search?q=tidal");
          return (body.results as { id: string }[]).some((r) => r.id === id);
        },
        2_000,
        50,
      );
      const searchable = Date.now() - committed;
      expect(searchable).toBeLessThan(2_000);

      await poll("Busan to hold the item", async () => (await heldVersion(busan, id)) === 1, 60_000);
      await poll("the shared queue to empty", async () => (await queued()) === 0, 60_000);
      expect(acceptedDeliveries([createOf(id)]).get(createOf(id))).toBe(1);
    });

    it("process 1 SIGKILLed in the middle of a fan-out: process 2 finishes every delivery, and repeats only what process 1 had in flight", {
      timeout: 270_000,
    }, async () => {
      expect(await peerState(busan, seoul)).toMatch(/following|mutual/);
      const count = 12;
      // A slow peer: the fan-out of twelve items takes seconds.
      slow.inboxMs = 700;
      const ids = await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const made = await api(through(one), "/api/items", { json: caseDraft(`Harbour fan-out case ${i + 1}`) });
          expect(made.status).toBe(201);
          return made.body.id as string;
        }),
      );
      const creates = ids.map(createOf);
      await poll(
        "Busan to accept the first delivery",
        async () => [...acceptedDeliveries(creates).values()].some((n) => n > 0),
        60_000,
        20,
      );
      await one.kill();
      const acceptedAtKill = [...acceptedDeliveries(creates).values()].filter((n) => n > 0).length;
      expect(acceptedAtKill, "the kill came after the fan-out ended").toBeLessThan(count);

      // Under load a delivery may wait out a retry's backoff; a failure says what was missing and why.
      await poll(
        "process 2 to deliver every item",
        async () => [...acceptedDeliveries(creates).values()].every((n) => n > 0),
        150_000,
      ).catch(async (error: Error) => {
        const missing = [...acceptedDeliveries(creates)].filter(([, n]) => n === 0).map(([id]) => id);
        const answers = busanProxy.exchanges.filter((e) => e.method === "POST").map((e) => e.status);
        throw new Error(
          `${error.message}; not delivered: ${missing.join(", ")}; deliveries queued: ${await queued()}; Busan's answers: ${answers.join(" ")}; process 1 printed: ${one.output().slice(-2000)}; process 2 printed: ${two.output().slice(-3000)}`,
        );
      });
      await poll("the shared queue to empty", async () => (await queued()) === 0, 60_000);
      slow.inboxMs = 0;
      for (const id of ids) expect(await heldVersion(busan, id), id).toBe(1);
      const { body } = await api(busan, "/api/items?limit=100");
      const listed = (body.items as { id: string }[]).filter((i) => ids.includes(i.id));
      expect(listed).toHaveLength(count);
      // HTTP cannot be exactly-once across a crash: a delivery process 1 had sent when it died
      // goes again from process 2, and Busan keeps one copy. Nothing else is repeated.
      const counts = [...acceptedDeliveries(creates).values()];
      expect(Math.max(...counts)).toBeLessThanOrEqual(2);
      expect(counts.filter((n) => n > 1).length).toBeLessThanOrEqual(WORKERS_PER_PROCESS + 1);
    });
  },
);
