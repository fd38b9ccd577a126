import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { freePort, poll } from "../support.ts";
import { api, caseDraft, followActor, peer, publish, type CityNode } from "./cluster.ts";
import { fileCluster } from "./file-cluster.ts";
import { startRoguePeer, type RoguePeer } from "./rogue-peer.ts";

// Issue 10: "A peer whose node is down stays 'Healthy' for minutes with no error; after
// 'Sync again' it says '…/outbox is not an OrderedCollection' when the truth is
// 'connection refused'." Real node processes, one stopped for real (its port closed), and
// a hand-driven peer whose outbox answers 502 or a document that is not a collection.

const OUTBOX = "/users/rogue/outbox";

let a: CityNode; // publishes; b follows it
let b: CityNode; // follows a and the rogue
let rogue: RoguePeer;
/** What the rogue's outbox answers; swapped by each scenario. */
let outbox: (res: ServerResponse) => void = () => {};

const cluster = fileCluster({
  cities: ["aseoul", "busan"] as const,
  async started([first, second]) {
    [a, b] = [first, second];
    await peer(b, a);
    rogue = await startRoguePeer();
    rogue.route(OUTBOX, (_req, res) => outbox(res));
  },
  stopping: () => rogue?.close(),
});

interface HealthEntry {
  actor: string;
  state: string;
  health: string;
  healthy: boolean;
  failingSince: string | null;
  lastSeen: string | null;
  lastError: string | null;
}

async function entryOf(node: CityNode, actor: string): Promise<HealthEntry | undefined> {
  const { body } = await api(node, "/api/peers");
  return (body.peers as HealthEntry[]).find((p) => p.actor === actor);
}

/** Polls `node`'s peer list until `actor` reports `health` (within a minute, as the issue asks). */
function healthOf(node: CityNode, actor: string, health: string, deadlineMs = 60_000): Promise<HealthEntry> {
  return poll(
    `${node.city} to report ${actor} ${health}`,
    async () => {
      const entry = await entryOf(node, actor);
      return entry?.health === health ? entry : undefined;
    },
    deadlineMs,
  );
}

describe("peer health", () => {
  it("a follower whose node is down shows unreachable with 'connection refused' after a failed delivery, and healthy once it is back", async () => {
    await b.node.stop();
    await publish(a, caseDraft("Published while Busan is down"));
    const down = await healthOf(a, b.actor, "unreachable");
    expect(down.lastError).toBe("connection refused (delivering an activity)");
    expect(down.healthy).toBe(false);
    expect(down.failingSince).not.toBeNull();
    // The contract's fields keep their shape: a string (or null), and lastSeen stays.
    expect(typeof down.lastError).toBe("string");
    expect(down).toHaveProperty("lastSeen");

    await cluster.restart(b);
    // Fedify's retry of the delivery (or the health probe) reaches it: healthy again.
    const back = await healthOf(a, b.actor, "healthy", 120_000);
    expect(back.failingSince).toBeNull();
    expect(back.lastSeen! > down.failingSince!).toBe(true);
  }, 240_000);

  it("'Sync again' with a followed city whose node is down says 'connection refused', not that its outbox is not a collection", async () => {
    await a.node.stop();
    try {
      expect((await api(b, "/api/peers/resync", { json: { actor: a.actor } })).status).toBe(200);
      const down = await healthOf(b, a.actor, "unreachable");
      expect(down.lastError).toBe("connection refused (reading their outbox)");
    } finally {
      await cluster.restart(a);
    }
    expect((await api(b, "/api/peers/resync", { json: { actor: a.actor } })).status).toBe(200);
    expect((await healthOf(b, a.actor, "healthy")).failingSince).toBeNull();
  }, 180_000);

  it("following an actor URL on a port nobody listens on is refused with 'connection refused', not 'no actor found'", async () => {
    const target = `http://127.0.0.1:${await freePort()}/cities/nobody`;
    const asked = await api(b, "/api/peers", { json: { actor: target } });
    expect(asked.status).toBe(502);
    expect(asked.body.error).toBe(`${target}: connection refused`);
  });

  it("an outbox answering 502 is 'answered HTTP 502'; one that is not a collection says so; both are failing, not unreachable", async () => {
    outbox = (res) => void res.writeHead(502, { "content-type": "text/html" }).end("<h1>Bad Gateway</h1>");
    await followActor(b, rogue.actorId.href);
    const bad = await healthOf(b, rogue.actorId.href, "failing");
    expect(bad.lastError).toBe("answered HTTP 502 (reading their outbox)");

    outbox = (res) => {
      res.setHeader("content-type", "application/activity+json");
      res.end(JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", type: "Note", content: "hi" }));
    };
    expect((await api(b, "/api/peers/resync", { json: { actor: rogue.actorId.href } })).status).toBe(200);
    await poll("b to say the outbox is not a collection", async () =>
      (await entryOf(b, rogue.actorId.href))?.lastError ===
      "their outbox is not an ActivityPub collection (reading their outbox)"
        ? true
        : undefined,
    );
    expect((await entryOf(b, rogue.actorId.href))?.health).toBe("failing");
  }, 120_000);
});
