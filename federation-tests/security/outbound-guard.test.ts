import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { Follow } from "@fedify/fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poll, runWegoAsync } from "../support.ts";
import { api, createCluster, followActor, peerState, type CityNode, type Cluster } from "../federation/cluster.ts";
import { startRoguePeer, type RoguePeer } from "../federation/rogue-peer.ts";

// Finding 5: server-side requests to private addresses. B may reach 127.0.0.1 (where the
// test's peers live) and nothing else; an "internal service" listens on 127.0.0.2 and
// must never see a request from B, however its address is spelled.
let cluster: Cluster;
let b: CityNode;
let rogue: RoguePeer;
let internal: Server;
let internalHits = 0;
let port = 0;

beforeAll(async () => {
  internal = createServer((_req, res) => {
    internalHits++;
    res.setHeader("content-type", "application/activity+json");
    res.end("{}");
  });
  await new Promise<void>((resolve) => internal.listen(0, "127.0.0.2", () => resolve()));
  port = (internal.address() as AddressInfo).port;
  rogue = await startRoguePeer();
  cluster = createCluster();
  b = await cluster.start("busan", { args: ["--allow-private-address", "127.0.0.1"] });
  await followActor(b, rogue.actorId.href);
}, 180_000);
afterAll(async () => {
  await rogue?.close();
  await cluster?.stop();
  internal?.close();
});

const spellings = () => [
  `http://127.0.0.2:${port}`,
  `http://[::ffff:127.0.0.2]:${port}`,
  `http://[::ffff:7f00:2]:${port}`,
  `http://[64:ff9b::7f00:2]:${port}`,
];

describe("no request reaches a refused address", () => {
  it("an unsigned inbox body with an @context on an internal address fetches nothing", async () => {
    for (const base of spellings()) {
      const body = JSON.stringify({
        "@context": ["https://www.w3.org/ns/activitystreams", `${base}/context`],
        id: `${rogue.origin}/a/${randomUUID()}`,
        type: "Create",
        actor: rogue.actorId.href,
        object: { type: "Note" },
      });
      const answer = await fetch(`${b.url}/inbox`, {
        method: "POST",
        headers: { "content-type": "application/activity+json" },
        body,
      });
      expect(answer.status).toBe(401);
    }
    expect(internalHits).toBe(0);
  });

  it("a signature whose key id is on an internal address fetches nothing", async () => {
    const [{ generateCryptoKeyPair }] = await Promise.all([import("@fedify/fedify")]);
    const pair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    for (const base of spellings()) {
      const body = JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${base}/a/${randomUUID()}`,
        type: "Create",
        actor: `${base}/actor`,
        object: { type: "Note" },
      });
      const answer = await rogue.postSigned(`${b.url}/inbox`, body, {
        keyId: new URL(`${base}/key`),
        privateKey: pair.privateKey,
      });
      expect(answer.status).toBe(401);
    }
    expect(internalHits).toBe(0);
  });

  it("following an actor on an internal address is refused and fetches nothing", async () => {
    for (const base of [...spellings(), "http://169.254.169.254"]) {
      const answer = await api(b, "/api/peers", { json: { actor: `${base}/actor` } });
      expect(answer.status, base).toBe(404);
    }
    expect((await api(b, "/api/peers", { json: { actor: `@city@127.0.0.2:${port}` } })).status).toBe(404);
    expect(internalHits).toBe(0);
  });

  it("wego verify refuses internal addresses, with or without a narrow --allow-private-address", async () => {
    for (const args of [[], ["--allow-private-address", "127.0.0.1"]]) {
      const result = await runWegoAsync(["verify", `http://[::ffff:7f00:2]:${port}/items/x`, ...args]);
      expect(result.stdout).toMatch(/^INVALID: .*(private|loopback|outside the allowed ranges)/);
    }
    expect(internalHits).toBe(0);
  });

  it("a Follow whose actor declares its inbox on an internal address is ignored; nothing is sent there", async () => {
    const follower = await startRoguePeer();
    try {
      const actor = await (await fetch(follower.actorId, { headers: { accept: "application/activity+json" } })).json();
      const hostile = {
        ...actor,
        inbox: `http://127.0.0.2:${port}/inbox`,
        endpoints: { sharedInbox: `http://127.0.0.2:${port}/inbox` },
      };
      follower.route("/users/rogue", (_req, res) => {
        res.setHeader("content-type", "application/activity+json");
        res.end(JSON.stringify(hostile));
      });
      await follower.send(
        { actor: b.actor, inbox: `${b.url}/cities/busan/inbox` },
        new Follow({
          id: new URL(`${follower.origin}/follows/${randomUUID()}`),
          actor: follower.actorId,
          object: new URL(b.actor),
        }),
      );
      await poll("b to ignore the Follow", async () =>
        b.node.output().includes("ignored a Follow from an actor the node cannot deliver to"),
      );
      expect(await peerState(b, { actor: follower.actorId.href } as CityNode)).toBeUndefined();
      expect((await api(b, "/api/peers/approve", { json: { actor: follower.actorId.href } })).status).toBe(404);
      expect(internalHits).toBe(0);
    } finally {
      await follower.close();
    }
  });
});

describe("redirects are bounded", () => {
  it("an actor URL that redirects to itself is fetched at most 6 times", async () => {
    rogue.route("/loop", (_req, res) => void res.writeHead(302, { location: `${rogue.origin}/loop` }).end());
    const answer = await api(b, "/api/peers", { json: { actor: `${rogue.origin}/loop` } });
    expect(answer.status).toBe(404);
    const hits = rogue.hits("/loop");
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThanOrEqual(6);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(rogue.hits("/loop")).toBe(hits);
  });

  it("an @context that redirects to itself is fetched at most 6 times, and the activity is refused", async () => {
    rogue.route(
      "/context-loop",
      (_req, res) => void res.writeHead(302, { location: `${rogue.origin}/context-loop` }).end(),
    );
    const body = JSON.stringify({
      "@context": ["https://www.w3.org/ns/activitystreams", `${rogue.origin}/context-loop`],
      id: `${rogue.origin}/a/${randomUUID()}`,
      type: "Create",
      actor: rogue.actorId.href,
      object: { type: "Note", content: "x" },
    });
    const answer = await rogue.postSigned(`${b.url}/inbox`, body);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 1_000));
    const hits = rogue.hits("/context-loop");
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThanOrEqual(6);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
  });
});
