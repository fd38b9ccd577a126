import { randomUUID } from "node:crypto";
import { Announce, Create, Update } from "@fedify/fedify/vocab";
import { describe, expect, it } from "vitest";
import { poll } from "../support.ts";
import { api, caseDraft, heldVersion, peer, peerState, publish, type CityNode } from "./cluster.ts";
import { fileCluster } from "./file-cluster.ts";
import { startRoguePeer, type RoguePeer } from "./rogue-peer.ts";

let a: CityNode; // an honest city
let b: CityNode; // the receiver under test
let rogue: RoguePeer;
let inbox: { actor: string; inbox: string };

const cluster = fileCluster({
  cities: ["aseoul", "busan"],
  async started(nodes) {
    [a, b] = nodes;
    rogue = await startRoguePeer();
    // B follows both the honest city and the rogue (which accepts at once).
    await peer(b, a);
    expect((await api(b, "/api/peers", { json: { actor: rogue.actorId.href } })).status).toBe(200);
    await poll(
      "b to follow the rogue",
      async () => (await peerState(b, { actor: rogue.actorId.href } as CityNode)) === "following",
    );
    inbox = { actor: b.actor, inbox: `${b.url}/cities/busan/inbox` };
  },
  stopping: async () => rogue?.close(),
});

let n = 0;
function rogueDoc(version = 1, extra: Record<string, unknown> = {}): Record<string, unknown> {
  n++;
  return rogue.caseStudy(`Rogue case ${n}`, {
    id: `${rogue.origin}/items/case-${n}`,
    updated: `2026-01-01T00:00:0${version}Z`,
    version,
    ...extra,
  });
}

const activityId = () => new URL(`${rogue.origin}/activities/${randomUUID()}`);

async function sendCreate(
  document: Record<string, unknown>,
  payload: unknown,
  Kind: typeof Create | typeof Update = Create,
) {
  await rogue.send(
    inbox,
    new Kind({
      id: activityId(),
      actor: rogue.actorId,
      object: rogue.article(String(document.id), payload, String(document.attributedTo)),
    }),
  );
}

/** Waits for B to log that it refused the object, and returns the logged reason. */
async function refusal(objectId: string): Promise<string> {
  return poll(`b to refuse ${objectId}`, async () => {
    const line = b.node
      .output()
      .split("\n")
      .find((l) => l.includes('"refused an item"') && l.includes(JSON.stringify(objectId)));
    return line ? (JSON.parse(line) as { reason: string }).reason : undefined;
  });
}

describe("verified ingest", () => {
  it("stores a well-signed item from a followed peer (the harness itself works)", async () => {
    const doc = rogueDoc();
    await sendCreate(doc, { document: doc, jws: await rogue.sign(doc) });
    await poll("b to store it", async () => (await heldVersion(b, String(doc.id))) === 1);
    expect((await api(b, `/api/items?id=${encodeURIComponent(String(doc.id))}`)).body).toMatchObject({
      origin: rogue.origin,
      verified: true,
      provenance: { via: rogue.actorId.href, kid: rogue.kid },
    });
  });

  it("refuses a tampered item and stores nothing", async () => {
    const doc = rogueDoc();
    const jws = await rogue.sign(doc);
    const tampered = { ...doc, title: `${doc.title} (edited in transit)` };
    await sendCreate(tampered, { document: tampered, jws });
    expect(await refusal(String(doc.id))).toBe("signature does not match the document");
    expect(await heldVersion(b, String(doc.id))).toBe(0);
  });

  it("refuses an item claiming another city's origin, signed with the sender's key", async () => {
    const doc = rogueDoc(1, { id: `${a.url}/items/forged-${randomUUID()}`, attributedTo: a.actor });
    await sendCreate(doc, { document: doc, jws: await rogue.sign(doc) });
    expect(await refusal(String(doc.id))).toMatch(/^key .* is not published by the origin$/);
    expect(await heldVersion(b, String(doc.id))).toBe(0);
  });

  it("refuses an item signed with a key its origin never published", async () => {
    const doc = rogueDoc();
    await sendCreate(doc, { document: doc, jws: await rogue.sign(doc, await rogue.strayKey()) });
    expect(await refusal(String(doc.id))).toMatch(/is not published by the origin/);
    expect(await heldVersion(b, String(doc.id))).toBe(0);
  });

  it("refuses a replayed older version and a different document under a held version", async () => {
    const v1 = rogueDoc(1);
    const v2 = { ...v1, version: 2, updated: "2026-01-01T00:00:05Z", title: "Second version" };
    await sendCreate(v2, { document: v2, jws: await rogue.sign(v2) }, Update);
    await poll("b to hold v2", async () => (await heldVersion(b, String(v1.id))) === 2);
    await sendCreate(v1, { document: v1, jws: await rogue.sign(v1) });
    expect(await refusal(String(v1.id))).toMatch(/^stale: this node holds version 2, got 1$/);
    const forkedV2 = { ...v2, title: "A different second version" };
    await sendCreate(forkedV2, { document: forkedV2, jws: await rogue.sign(forkedV2) }, Update);
    await poll("b to refuse the fork", async () =>
      b.node.output().includes("conflict: this node holds version 2, got 2"),
    );
    expect((await api(b, `/api/items?id=${encodeURIComponent(String(v1.id))}`)).body.document.title).toBe(
      "Second version",
    );
  });

  it("refuses malformed activities: unsigned, no signed document, not JSON, schema-invalid", async () => {
    const unsigned = await fetch(inbox.inbox, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: activityId().href,
        type: "Create",
        actor: rogue.actorId.href,
        object: { id: `${rogue.origin}/items/unsigned`, type: "Article" },
      }),
    });
    expect(unsigned.status).toBe(401);
    const garbage = await fetch(inbox.inbox, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: "{not json",
    });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);

    const noSigned = rogueDoc();
    await rogue.send(
      inbox,
      new Create({
        id: activityId(),
        actor: rogue.actorId,
        object: new (await import("@fedify/fedify/vocab")).Article({
          id: new URL(String(noSigned.id)),
          attribution: rogue.actorId,
          name: "bare",
        }),
      }),
    );
    expect(await refusal(String(noSigned.id))).toBe("the object carries no signed document");

    const notJson = rogueDoc();
    await sendCreate(notJson, "{this is not json");
    expect(await refusal(String(notJson.id))).toBe("the signed document is not JSON");

    const invalid = rogueDoc(1, { language: "not a language tag" });
    await sendCreate(invalid, { document: invalid, jws: await rogue.sign(invalid) });
    expect(await refusal(String(invalid.id))).toMatch(/breaks its schema: \/language/);
    for (const d of [noSigned, notJson, invalid]) expect(await heldVersion(b, String(d.id))).toBe(0);
  });
});

describe("relays", () => {
  it("keeps another city's item relayed by a peer when the origin's own signature verifies", async () => {
    // C publishes; B follows only A and the rogue, so the rogue's relay is B's only way to get it.
    const c = await cluster.start("cheongju");
    const id = await publish(c, caseDraft("Relayed case"));
    const held = (await api(c, `/api/items?id=${encodeURIComponent(id)}`)).body as {
      document: Record<string, unknown>;
      jws: string;
    };
    await rogue.send(
      inbox,
      new Announce({ id: activityId(), actor: rogue.actorId, object: rogue.article(id, held, c.actor) }),
    );
    await poll("b to hold the relayed item", async () => (await heldVersion(b, id)) === 1);
    const stored = (await api(b, `/api/items?id=${encodeURIComponent(id)}`)).body;
    expect(stored.origin).toBe(c.url);
    expect(stored.provenance.via).toBe(rogue.actorId.href);
    expect(stored.verified).toBe(true);
  });

  it("refuses a relayed item whose origin signature does not verify", async () => {
    const id = await publish(a, caseDraft("Relayed and altered"));
    // Keep B from getting it straight from A first: look at A's copy, alter it, relay it at once.
    const held = (await api(a, `/api/items?id=${encodeURIComponent(id)}`)).body as {
      document: Record<string, unknown>;
      jws: string;
    };
    const altered = { document: { ...held.document, summary: "Altered by the relay." }, jws: held.jws };
    await rogue.send(
      inbox,
      new Announce({ id: activityId(), actor: rogue.actorId, object: rogue.article(id, altered, a.actor) }),
    );
    expect(await refusal(id)).toBe("signature does not match the document");
    // The genuine copy from A still arrives and is the one kept.
    await poll("b to hold A's genuine copy", async () => (await heldVersion(b, id)) === 1);
    expect((await api(b, `/api/items?id=${encodeURIComponent(id)}`)).body.document.summary).toBe(held.document.summary);
  });
});
