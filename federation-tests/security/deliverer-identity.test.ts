import { randomUUID } from "node:crypto";
import { generateCryptoKeyPair } from "@fedify/fedify";
import { Announce, Create, CryptographicKey, Follow, Reject } from "@fedify/fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poll } from "../support.ts";
import {
  api,
  createCluster,
  followActor,
  heldVersion,
  peerState,
  type CityNode,
  type Cluster,
} from "../federation/cluster.ts";
import { startRoguePeer, type RoguePeer } from "../federation/rogue-peer.ts";

// Finding 1 (any host could deliver as a followed peer) and finding 9 (allowlist mode did
// not check relayed items' origins). B runs in allowlist mode and follows `peer` only;
// `impostor` is another host that tries to speak for `peer`.
let cluster: Cluster;
let b: CityNode;
let peer: RoguePeer;
let impostor: RoguePeer;
let inbox: string;
let forged: { keyId: URL; privateKey: CryptoKey };

beforeAll(async () => {
  [peer, impostor] = await Promise.all([startRoguePeer(), startRoguePeer()]);
  cluster = createCluster();
  b = await cluster.start("busan", { args: ["--allow-hosts", new URL(peer.origin).host] });
  inbox = `${b.url}/cities/busan/inbox`;
  await followActor(b, peer.actorId.href);
  // The impostor's own HTTP-signature key, published on the impostor's host in a key
  // document that names the followed peer's actor as its owner.
  const pair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const keyId = new URL(`${impostor.origin}/forged-key`);
  const keyDocument = await new CryptographicKey({
    id: keyId,
    owner: peer.actorId,
    publicKey: pair.publicKey,
  }).toJsonLd();
  impostor.route("/forged-key", (_req, res) => {
    res.setHeader("content-type", "application/activity+json");
    res.end(JSON.stringify(keyDocument));
  });
  forged = { keyId, privateKey: pair.privateKey };
}, 180_000);
afterAll(async () => {
  await Promise.all([peer?.close(), impostor?.close()]);
  await cluster?.stop();
});

/** A case study of `origin`'s own, claiming Seoul as its city (the badge must not believe it). */
const itemOf = (origin: RoguePeer, title: string): Record<string, unknown> =>
  origin.caseStudy(title, { summary: "An item for a trust test.", city: "Seoul" });

describe("the deliverer is proven, not claimed", () => {
  it("refuses a Create signed with an impostor's key whose key document names the peer as owner; nothing is stored", async () => {
    const doc = itemOf(impostor, "Posing as the peer");
    const answer = await impostor.postSigned(inbox, await impostor.createJson(doc, peer.actorId), forged);
    expect(answer.status).toBe(401);
    expect(answer.text).toContain("the signing key is not on the actor's origin");
    expect(await heldVersion(b, String(doc.id))).toBe(0);
    expect((await api(b, `/api/search?q=${encodeURIComponent("Posing")}`)).body.total).toBe(0);
  });

  it("refuses a forged Reject: the real peer's follow stays accepted", async () => {
    const reject = new Reject({
      id: new URL(`${peer.origin}/rejects/${randomUUID()}`),
      actor: peer.actorId,
      object: new Follow({ actor: new URL(b.actor), object: peer.actorId }),
    });
    const answer = await impostor.postSigned(inbox, JSON.stringify(await reject.toJsonLd()), forged);
    expect(answer.status).toBe(401);
    expect(await peerState(b, { actor: peer.actorId.href } as CityNode)).toBe("following");
  });

  it("refuses a key on the peer's own origin that the peer's actor document does not list", async () => {
    const pair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const keyId = new URL(`${peer.origin}/uploads/not-a-listed-key`);
    const keyDocument = await new CryptographicKey({
      id: keyId,
      owner: peer.actorId,
      publicKey: pair.publicKey,
    }).toJsonLd();
    peer.route("/uploads/not-a-listed-key", (_req, res) => void res.end(JSON.stringify(keyDocument)));
    const doc = itemOf(peer, "Signed with an unlisted key");
    const answer = await peer.postSigned(inbox, await peer.createJson(doc, peer.actorId), {
      keyId,
      privateKey: pair.privateKey,
    });
    expect(answer.status).toBe(401);
    expect(answer.text).toContain("does not list the signing key");
    expect(await heldVersion(b, String(doc.id))).toBe(0);
  });

  it("refuses an activity whose id is on another origin than its actor", async () => {
    const doc = itemOf(peer, "Foreign activity id");
    const activity = new Create({
      id: new URL(`${impostor.origin}/activities/${randomUUID()}`),
      actor: peer.actorId,
      object: peer.article(String(doc.id), { document: doc, jws: await peer.sign(doc) }),
    });
    const answer = await peer.postSigned(inbox, JSON.stringify(await activity.toJsonLd()));
    expect(answer.status).toBe(400);
    expect(await heldVersion(b, String(doc.id))).toBe(0);
  });

  it("still takes the real peer's own deliveries", async () => {
    const doc = itemOf(peer, "Genuine delivery");
    const answer = await peer.postSigned(inbox, await peer.createJson(doc, peer.actorId));
    expect(answer.status).toBe(202);
    await poll("b to store the peer's item", async () => (await heldVersion(b, String(doc.id))) === 1);
    expect((await api(b, `/api/items?id=${encodeURIComponent(String(doc.id))}`)).body).toMatchObject({
      origin: peer.origin,
      verified: true,
    });
  });
});

describe("allowlist mode", () => {
  it("refuses a relayed item whose origin is not on the allowlist, though its signature verifies", async () => {
    const doc = itemOf(impostor, "Relayed from outside the membership");
    const announce = new Announce({
      id: new URL(`${peer.origin}/announces/${randomUUID()}`),
      actor: peer.actorId,
      object: impostor.article(String(doc.id), { document: doc, jws: await impostor.sign(doc) }, impostor.actorId.href),
    });
    expect((await peer.postSigned(inbox, JSON.stringify(await announce.toJsonLd()))).status).toBe(202);
    await poll("b to refuse the relayed item", async () =>
      b.node.output().includes(`the item's origin ${impostor.origin} is not on the allowlist`),
    );
    expect(await heldVersion(b, String(doc.id))).toBe(0);
  });

  it("refuses any activity but a Follow from a host not on the allowlist, before reading it", async () => {
    const doc = itemOf(impostor, "From outside");
    const answer = await impostor.postSigned(inbox, await impostor.createJson(doc, impostor.actorId));
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("not on the allowlist");
  });
});
