import { describe, expect, it } from "vitest";
import { activeDatabase, describeEachDatabase } from "../db/test-databases.ts";
import { ingestJsonObject, ingestObject } from "./ingest.ts";
import { createTestPeer, testReceivers } from "./test-support.ts";

const nodes = testReceivers(activeDatabase);

describeEachDatabase("ingest", () => {
  describe("ingestObject()", () => {
    it("stores a signed item once, and reports a second delivery as unchanged", async () => {
      const { peer, node } = await nodes.withPeer();
      const signed = await peer.sign(peer.caseStudy("Congestion charge"));
      const id = String(signed.document.id);
      expect(await ingestObject(node.ingest, peer.object(signed), peer.actorId)).toEqual({
        ok: true,
        status: "stored",
        id,
        version: 1,
      });
      expect(await ingestObject(node.ingest, peer.object(signed), peer.actorId)).toEqual({
        ok: true,
        status: "unchanged",
        id,
        version: 1,
      });
    });

    it("keeps an item another followed peer relays only under its origin's signature", async () => {
      const origin = await createTestPeer("http://busan.test");
      const relay = await createTestPeer("http://incheon.test");
      const node = await nodes.following(origin, relay);
      const signed = await origin.sign(origin.caseStudy("Relayed case"));
      const outcome = await ingestObject(node.ingest, origin.object(signed), relay.actorId);
      expect(outcome.ok).toBe(true);
      const held = await node.library.get(String(signed.document.id));
      expect(held?.origin).toBe("http://busan.test");
      expect(held?.provenance?.via).toBe(relay.actorId.href);
    });

    it("refuses an item from a blocked origin", async () => {
      const { peer, node } = await nodes.withPeer();
      await node.peers.block("busan.test");
      const signed = await peer.sign(peer.caseStudy("Blocked case"));
      expect(await ingestObject(node.ingest, peer.object(signed), peer.actorId)).toEqual({
        ok: false,
        reason: "busan.test is blocked",
      });
    });
  });

  describe("ingestJsonObject()", () => {
    it("stores an outbox entry's object read as plain JSON, as the inbox path would", async () => {
      const { peer, node } = await nodes.withPeer();
      const signed = await peer.sign(peer.caseStudy("From the outbox"));
      const json = await peer.object(signed).toJsonLd({ format: "compact" });
      expect(await ingestJsonObject(node.ingest, json, peer.actorId)).toEqual({
        ok: true,
        status: "stored",
        id: signed.document.id,
        version: 1,
      });
    });

    it("refuses an object without a signed document", async () => {
      const { peer, node } = await nodes.withPeer();
      expect(
        await ingestJsonObject(node.ingest, { id: `${peer.origin}/items/1`, type: "Article" }, peer.actorId),
      ).toEqual({ ok: false, reason: "the object carries no signed document" });
    });
  });
});
