import { afterEach, describe, expect, it } from "vitest";
import { Article, Create, Delete, Update } from "@fedify/fedify/vocab";
import { toSignedItemAttachment } from "../../signing/signed-item.ts";
import { onItemCreated, onItemDeleted, onItemUpdated } from "./items.ts";
import {
  createInboxContext,
  createSigningKey,
  createTestPeer,
  createTestReceiver,
  followPeers,
  type TestPeer,
  type TestReceiver,
} from "../test-support.ts";

const open: TestReceiver[] = [];
afterEach(async () => {
  for (const node of open.splice(0)) await node.orm.close();
});

/** A node that follows `peer` (accepted) and can load its keys. */
async function following(peer: TestPeer): Promise<TestReceiver> {
  const node = await createTestReceiver([peer]);
  open.push(node);
  await followPeers(node, peer);
  return node;
}

let activities = 0;
const activityId = (peer: TestPeer) => new URL(`${peer.actorId.href}#activities/${++activities}`);

describe("onItemCreated()", () => {
  it("stores an item its origin signed, delivered by a followed peer", async () => {
    const peer = await createTestPeer();
    const node = await following(peer);
    const signed = await peer.sign(peer.caseStudy("Bus priority lanes"));
    const { ctx } = createInboxContext();
    await onItemCreated(
      node.ingest,
      ctx,
      new Create({ id: activityId(peer), actor: peer.actorId, object: peer.object(signed) }),
    );
    const held = await node.library.get(String(signed.document.id));
    expect(held?.title).toBe("Bus priority lanes");
    expect(held?.local).toBe(false);
    expect(held?.origin).toBe(peer.origin);
    expect(held?.provenance?.via).toBe(peer.actorId.href);
  });

  it("refuses an item whose signature is not the origin's, and keeps nothing", async () => {
    const peer = await createTestPeer();
    const node = await following(peer);
    const forger = await createSigningKey();
    const forged = await peer.sign(peer.caseStudy("Forged case"), forger.signer);
    const { ctx } = createInboxContext();
    await onItemCreated(
      node.ingest,
      ctx,
      new Create({ id: activityId(peer), actor: peer.actorId, object: peer.object(forged) }),
    );
    expect(await node.library.get(String(forged.document.id))).toBeNull();
  });

  it("refuses an item delivered by a peer this node does not follow", async () => {
    const peer = await createTestPeer();
    const node = await createTestReceiver([peer]);
    open.push(node);
    const signed = await peer.sign(peer.caseStudy("Unasked for"));
    const { ctx } = createInboxContext();
    await onItemCreated(
      node.ingest,
      ctx,
      new Create({ id: activityId(peer), actor: peer.actorId, object: peer.object(signed) }),
    );
    expect(await node.library.get(String(signed.document.id))).toBeNull();
  });

  it("refuses an object whose id differs from its signed document's", async () => {
    const peer = await createTestPeer();
    const node = await following(peer);
    const signed = await peer.sign(peer.caseStudy("Moved case"));
    const other = `${peer.origin}/items/other`;
    // The attachment carries a genuinely signed pair; the object around it claims another id.
    const object = new Article({
      id: new URL(other),
      attribution: peer.actorId,
      attachments: [toSignedItemAttachment(signed)],
    });
    const { ctx } = createInboxContext();
    await onItemCreated(node.ingest, ctx, new Create({ id: activityId(peer), actor: peer.actorId, object }));
    expect(await node.library.get(other)).toBeNull();
    expect(await node.library.get(String(signed.document.id))).toBeNull();
  });
});

describe("onItemUpdated()", () => {
  it("replaces a held item with its newer signed version", async () => {
    const peer = await createTestPeer();
    const node = await following(peer);
    const first = await peer.sign(peer.caseStudy("Night buses"));
    const id = String(first.document.id);
    const second = await peer.sign(peer.caseStudy("Night buses, year two", { id, version: 2 }));
    const { ctx } = createInboxContext();
    await onItemCreated(
      node.ingest,
      ctx,
      new Create({ id: activityId(peer), actor: peer.actorId, object: peer.object(first) }),
    );
    await onItemUpdated(
      node.ingest,
      ctx,
      new Update({ id: activityId(peer), actor: peer.actorId, object: peer.object(second) }),
    );
    const held = await node.library.get(id);
    expect(held?.version).toBe(2);
    expect(held?.title).toBe("Night buses, year two");
  });
});

describe("onItemDeleted()", () => {
  it("replaces a held item with the origin's signed Tombstone", async () => {
    const peer = await createTestPeer();
    const node = await following(peer);
    const signed = await peer.sign(peer.caseStudy("Short-lived case"));
    const id = String(signed.document.id);
    const tombstone = await peer.sign(peer.tombstone(id, 2));
    const { ctx } = createInboxContext();
    await onItemCreated(
      node.ingest,
      ctx,
      new Create({ id: activityId(peer), actor: peer.actorId, object: peer.object(signed) }),
    );
    await onItemDeleted(
      node.ingest,
      ctx,
      new Delete({ id: activityId(peer), actor: peer.actorId, object: peer.object(tombstone) }),
    );
    const held = await node.library.get(id);
    expect(held?.deleted).toBe(true);
    expect(held?.version).toBe(2);
  });
});
