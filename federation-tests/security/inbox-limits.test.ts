import { request } from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poll } from "../support.ts";
import { createCluster, followActor, type CityNode, type Cluster } from "../federation/cluster.ts";
import { startRoguePeer, type RoguePeer } from "../federation/rogue-peer.ts";

// Finding 4: the inbox read bodies of any size, and ran JSON-LD processing of unsigned
// bodies before checking their signature.
let cluster: Cluster;
let b: CityNode;
let rogue: RoguePeer;
let inbox: string;

beforeAll(async () => {
  rogue = await startRoguePeer();
  cluster = createCluster();
  b = await cluster.start("busan");
  inbox = `${b.url}/inbox`;
  await followActor(b, rogue.actorId.href);
}, 180_000);
afterAll(async () => {
  await rogue?.close();
  await cluster?.stop();
});

/**
 * Streams `total` bytes to the inbox in 64 KiB chunks, as fast as the socket takes them,
 * and stops at the first answer: resolves with the status and how much had been sent.
 */
function streamBody(total: number, declareLength: boolean): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(inbox);
    let sent = 0;
    let answered = false;
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: "POST",
      headers: {
        "content-type": "application/activity+json",
        ...(declareLength ? { "content-length": String(total) } : {}),
      },
    });
    req.on("response", (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
      req.destroy();
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (answered) return;
      // The node answered and closed the connection while we were still sending: the
      // answer may be lost with the socket. Report it as a reset; the test reads the log.
      if (error.code === "EPIPE" || error.code === "ECONNRESET") resolve({ status: 0, sent });
      else reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const write = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      if (!answered) req.end();
    };
    write();
  });
}

/** A JSON object nested `depth` deep, `width` children a level, each with its own @context (costly to expand) unless `contexts` is false. */
function nested(depth: number, width = 1, contexts = true): Record<string, unknown> {
  let object: Record<string, unknown> = {
    ...(contexts ? { "@context": { x: "https://example.org/x#" } } : {}),
    x: "leaf",
  };
  for (let i = 0; i < depth; i++) {
    const next: Record<string, unknown> = {
      ...(contexts ? { "@context": { [`p${i}`]: `https://example.org/p#${i}` } } : {}),
      type: "Object",
    };
    for (let w = 0; w < width; w++) next[`p${i}_${w}`] = object;
    object = next;
  }
  return object;
}

/** Activities nested in activities, `depth` deep: about 42 KB at 700, which took Fedify 1.5.9 seconds per hundred levels to parse. */
function nestedCreates(depth: number): Record<string, unknown> {
  let object: Record<string, unknown> = { type: "Note", content: "x" };
  for (let i = 0; i < depth; i++) object = { type: "Create", actor: "https://a.example/u", object };
  return object;
}

async function healthyMeanwhile<T>(attack: Promise<T>): Promise<T> {
  const started = Date.now();
  const health = await fetch(`${b.url}/healthz`);
  expect(health.status).toBe(200);
  // The node answers other requests while the attack is in flight.
  expect(Date.now() - started).toBeLessThan(5_000);
  return attack;
}

/** How many times the node logged that it refused an inbox body as too large. */
function refusedAsTooLarge(): number {
  return b.node
    .output()
    .split("\n")
    .filter((l) => l.includes('"inbox refused a request"') && l.includes('"status":413')).length;
}

describe("inbox body limits", () => {
  it("answers 413 to a declared 200 MB body without reading it", async () => {
    const before = refusedAsTooLarge();
    const result = await healthyMeanwhile(streamBody(200 * 1024 * 1024, true));
    expect([413, 0]).toContain(result.status);
    await poll("the node to log the refusal", async () => refusedAsTooLarge() > before);
    expect(result.sent).toBeLessThan(16 * 1024 * 1024);
  });

  it("answers 413 to an undeclared (chunked) 200 MB body once it passes the limit", async () => {
    const before = refusedAsTooLarge();
    const result = await healthyMeanwhile(streamBody(200 * 1024 * 1024, false));
    expect([413, 0]).toContain(result.status);
    await poll("the node to log the refusal", async () => refusedAsTooLarge() > before);
    expect(result.sent).toBeLessThan(32 * 1024 * 1024);
  });

  it("stays up and answers within bounds while five such bodies arrive at once", async () => {
    const before = refusedAsTooLarge();
    const results = await healthyMeanwhile(
      Promise.all(Array.from({ length: 5 }, (_, i) => streamBody(200 * 1024 * 1024, i % 2 === 0))),
    );
    for (const r of results) expect(r.sent).toBeLessThan(32 * 1024 * 1024);
    await poll("the node to log five refusals", async () => refusedAsTooLarge() >= before + 5);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
  });
});

describe("no JSON-LD before the signature", () => {
  it("answers an unsigned body of nested objects at once with 401 (or 400), and keeps serving", async () => {
    for (const body of [nestedCreates(700), nested(40), nested(7, 3)]) {
      const text = JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${rogue.origin}/a/${randomUUID()}`,
        type: "Create",
        actor: rogue.actorId.href,
        object: body,
      });
      const started = Date.now();
      const answer = await healthyMeanwhile(
        fetch(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body: text }),
      );
      expect([400, 401]).toContain(answer.status);
      expect(Date.now() - started).toBeLessThan(3_000);
    }
  });

  it("refuses a signed body nested deeper than the bound with 400, before Fedify parses it", async () => {
    const text = JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${rogue.origin}/a/${randomUUID()}`,
      type: "Create",
      actor: rogue.actorId.href,
      object: nested(40, 1, false),
    });
    const started = Date.now();
    const answer = await healthyMeanwhile(rogue.postSigned(inbox, text));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("nested deeper than");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("refuses a signed body with @context embedded below the activity's object (the costly kind to expand) with 400", async () => {
    const text = JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${rogue.origin}/a/${randomUUID()}`,
      type: "Create",
      actor: rogue.actorId.href,
      object: nested(7, 3),
    });
    const answer = await healthyMeanwhile(rogue.postSigned(inbox, text));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("@context is embedded deeper");
  });

  it("processes a signed, wide body within the bounds without stalling the node", async () => {
    const text = JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${rogue.origin}/a/${randomUUID()}`,
      type: "Create",
      actor: rogue.actorId.href,
      object: nested(7, 3, false),
    });
    const started = Date.now();
    const answer = await healthyMeanwhile(rogue.postSigned(inbox, text));
    expect(answer.status).toBeLessThan(500);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The queued activity is processed meanwhile; the node keeps answering.
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
      expect(Date.now() - t).toBeLessThan(2_000);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
