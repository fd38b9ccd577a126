import type { Context } from "@fedify/fedify";
import { describe, expect, it } from "vitest";
import { createLogger } from "../log.ts";
import { draftFixture } from "../test-support.ts";
import { createCaseOrigins } from "./case-origin.ts";
import { createInboxContext, createTestPeer, testReceivers, type TestPeer, type TestReceiver } from "./test-support.ts";

// Where a local Adoption is sent besides the followers: the actor that published its case.

const nodes = testReceivers();

async function localAdoption(node: TestReceiver, caseId: string) {
  const made = await node.library.create({ ...draftFixture("adoption.minimal"), case: caseId }, { author: "test" });
  if (!made.ok) throw new Error("fixture rejected");
  return (await node.library.get(made.item.id))!;
}

function origins(node: TestReceiver) {
  return createCaseOrigins({
    library: node.library,
    peers: node.peers,
    identity: node.identity,
    logger: createLogger("error", () => {}),
  });
}

/** A context whose loaders serve `documents` (nothing touches the network). */
function contextServing(documents: Record<string, unknown>): Context<void> {
  return createInboxContext(documents).ctx as unknown as Context<void>;
}

/** A context serving the case at `caseId`, attributed to `peer`'s actor, and that actor's document. */
async function contextServingCase(caseId: string, peer: TestPeer): Promise<Context<void>> {
  const article = { "@context": "https://www.w3.org/ns/activitystreams", id: caseId, type: "Article" };
  return contextServing({
    [caseId]: { ...article, attributedTo: peer.actorId.href },
    [peer.actorId.href]: await peer.actor.toJsonLd(),
  });
}

describe("createCaseOrigins().recipientFor()", () => {
  it("finds the city of a case the node holds from its verified copy, and the inbox from the peer row", async () => {
    const peer = await createTestPeer();
    const node = await nodes.following(peer);
    await node.peers.update(peer.actorId.href, { inbox: `${peer.actorId.href}/inbox` });
    const signed = await peer.sign(peer.caseStudy("Typhoon alerts"));
    const ingested = await node.library.ingest({
      ...signed,
      origin: peer.origin,
      provenance: { via: peer.actorId.href, receivedAt: "2026-01-02T00:00:00Z", kid: "k" },
    });
    expect(ingested.ok).toBe(true);
    const adoption = await localAdoption(node, String(signed.document.id));
    const recipient = await origins(node).recipientFor(contextServing({}), adoption);
    expect(recipient?.id?.href).toBe(peer.actorId.href);
    expect(recipient?.inboxId?.href).toBe(`${peer.actorId.href}/inbox`);
  });

  it("reads the case's URL and its actor when the node does not hold the case", async () => {
    const peer = await createTestPeer();
    const node = await nodes.create();
    const caseId = `${peer.origin}/items/kiosks`;
    const ctx = await contextServingCase(caseId, peer);
    const recipient = await origins(node).recipientFor(ctx, await localAdoption(node, caseId));
    expect(recipient?.id?.href).toBe(peer.actorId.href);
    expect(recipient?.inboxId?.href).toBe(`${peer.actorId.href}/inbox`);
  });

  it("sends nowhere when the case names an actor on another origin, or is this node's own", async () => {
    const peer = await createTestPeer();
    const node = await nodes.create();
    const caseId = "http://incheon.test/items/borrowed";
    const ctx = await contextServingCase(caseId, peer);
    expect(await origins(node).recipientFor(ctx, await localAdoption(node, caseId))).toBeNull();
    const own = await node.library.create(draftFixture("case-study.minimal"), { author: "test" });
    if (!own.ok) throw new Error("fixture rejected");
    expect(await origins(node).recipientFor(ctx, await localAdoption(node, own.item.id))).toBeNull();
  });

  it("sends a deleted adoption's Tombstone to the city of the case its last version named", async () => {
    const peer = await createTestPeer();
    const node = await nodes.create();
    const caseId = `${peer.origin}/items/kiosks`;
    const ctx = await contextServingCase(caseId, peer);
    const adoption = await localAdoption(node, caseId);
    expect((await node.library.remove(adoption.id, { author: "test" })).ok).toBe(true);
    const tombstone = (await node.library.get(adoption.id))!;
    expect(tombstone.deleted).toBe(true);
    expect((await origins(node).recipientFor(ctx, tombstone))?.id?.href).toBe(peer.actorId.href);
  });

  it("sends nowhere for an item that is not an adoption", async () => {
    const node = await nodes.create();
    const made = await node.library.create(draftFixture("pathway.minimal"), { author: "test" });
    if (!made.ok) throw new Error("fixture rejected");
    expect(await origins(node).recipientFor(contextServing({}), (await node.library.get(made.item.id))!)).toBeNull();
  });
});
