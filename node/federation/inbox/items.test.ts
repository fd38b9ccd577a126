import { describe, expect, it } from "vitest";
import { activeDatabase, describeEachDatabase } from "../../db/test-databases.ts";
import { Article, Create, Delete, Update } from "@fedify/fedify/vocab";
import { toSignedItemAttachment } from "../../signing/signed-item.ts";
import { onItemCreated, onItemDeleted, onItemUpdated } from "./items.ts";
import {
  activityBy,
  createInboxContext,
  createSigningKey,
  createTestPeer,
  testReceivers,
  type TestPeer,
  type TestReceiver,
} from "../test-support.ts";

const nodes = testReceivers(activeDatabase);

type Signed = Awaited<ReturnType<TestPeer["sign"]>>;

/** `peer` delivers a Create of its signed item to `node`. */
async function create(node: TestReceiver, peer: TestPeer, signed: Signed): Promise<void> {
  await onItemCreated(node.ingest, createInboxContext().ctx, activityBy(Create, peer, peer.object(signed)));
}

describeEachDatabase("items from the inbox", () => {
  describe("onItemCreated()", () => {
    it("stores an item its origin signed, delivered by a followed peer", async () => {
      const { peer, node } = await nodes.withPeer();
      const signed = await peer.sign(peer.caseStudy("Bus priority lanes"));
      await create(node, peer, signed);
      const held = await node.library.get(String(signed.document.id));
      expect(held?.title).toBe("Bus priority lanes");
      expect(held?.local).toBe(false);
      expect(held?.origin).toBe(peer.origin);
      expect(held?.provenance?.via).toBe(peer.actorId.href);
    });

    it("refuses an item whose signature is not the origin's, and keeps nothing", async () => {
      const { peer, node } = await nodes.withPeer();
      const forger = await createSigningKey();
      const forged = await peer.sign(peer.caseStudy("Forged case"), forger.signer);
      await create(node, peer, forged);
      expect(await node.library.get(String(forged.document.id))).toBeNull();
    });

    it("refuses an item delivered by a peer this node does not follow", async () => {
      const peer = await createTestPeer();
      const node = await nodes.create([peer]);
      const signed = await peer.sign(peer.caseStudy("Unasked for"));
      await create(node, peer, signed);
      expect(await node.library.get(String(signed.document.id))).toBeNull();
    });

    it("refuses an object whose id differs from its signed document's", async () => {
      const { peer, node } = await nodes.withPeer();
      const signed = await peer.sign(peer.caseStudy("Moved case"));
      const other = `${peer.origin}/items/other`;
      // The attachment carries a genuinely signed pair; the object around it claims another id.
      const object = new Article({
        id: new URL(other),
        attribution: peer.actorId,
        attachments: [toSignedItemAttachment(signed)],
      });
      await onItemCreated(node.ingest, createInboxContext().ctx, activityBy(Create, peer, object));
      expect(await node.library.get(other)).toBeNull();
      expect(await node.library.get(String(signed.document.id))).toBeNull();
    });
  });

  describe("onItemUpdated()", () => {
    it("replaces a held item with its newer signed version", async () => {
      const { peer, node } = await nodes.withPeer();
      const first = await peer.sign(peer.caseStudy("Night buses"));
      const id = String(first.document.id);
      const second = await peer.sign(peer.caseStudy("Night buses, year two", { id, version: 2 }));
      await create(node, peer, first);
      await onItemUpdated(node.ingest, createInboxContext().ctx, activityBy(Update, peer, peer.object(second)));
      const held = await node.library.get(id);
      expect(held?.version).toBe(2);
      expect(held?.title).toBe("Night buses, year two");
    });
  });

  describe("onItemDeleted()", () => {
    it("replaces a held item with the origin's signed Tombstone", async () => {
      const { peer, node } = await nodes.withPeer();
      const signed = await peer.sign(peer.caseStudy("Short-lived case"));
      const id = String(signed.document.id);
      const tombstone = await peer.sign(peer.tombstone(id, 2));
      await create(node, peer, signed);
      await onItemDeleted(node.ingest, createInboxContext().ctx, activityBy(Delete, peer, peer.object(tombstone)));
      const held = await node.library.get(id);
      expect(held?.deleted).toBe(true);
      expect(held?.version).toBe(2);
    });
  });
});
