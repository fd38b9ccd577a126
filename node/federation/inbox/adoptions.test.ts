import { describe, expect, it } from "vitest";
import { activeDatabase, describeEachDatabase } from "../../db/test-databases.ts";
import { Create, Delete, Update } from "@fedify/fedify/vocab";
import { draftFixture } from "../../test-support.ts";
import { onItemCreated, onItemDeleted, onItemUpdated } from "./items.ts";
import { createUnsolicitedGate } from "../unsolicited.ts";
import {
  activityBy,
  createInboxContext,
  createSigningKey,
  createTestPeer,
  testReceivers,
  type TestPeer,
  type TestReceiver,
} from "../test-support.ts";

// Another city's Adoption of this node's case reaches the origin even though the origin
// does not follow the adopter: kept only when verified and about one of its own cases.

const nodes = testReceivers(activeDatabase);

type Signed = Awaited<ReturnType<TestPeer["sign"]>>;

/** A schema-valid Adoption by `peer` of `caseId`, at `version` (a fresh id unless given). */
function adoption(peer: TestPeer, caseId: string, options: { id?: string; version?: number; status?: string } = {}) {
  const { body: _body, ...base } = peer.caseStudy("Busan adopts a Seoul case", options);
  return { ...base, type: "Adoption", case: caseId, status: options.status ?? "planning" };
}

/** A receiver that does not follow `peer` (it can load the peer's keys) and holds a case of its own. */
async function origin(peer: TestPeer): Promise<{ node: TestReceiver; caseId: string }> {
  const node = await nodes.create([peer]);
  const made = await node.library.create(draftFixture("case-study.minimal"), { author: "test" });
  if (!made.ok) throw new Error("fixture rejected");
  return { node, caseId: made.item.id };
}

/**
 * `peer` delivers a Create (or an Update, a Delete) of `signed` to `node`'s inbox handler,
 * as the inbox hands it over: serialized to JSON-LD and parsed back by Fedify.
 */
async function deliver(
  node: TestReceiver,
  peer: TestPeer,
  signed: Signed,
  kind: "create" | "update" | "delete" = "create",
): Promise<void> {
  const { ctx } = createInboxContext();
  const object = peer.object(signed);
  const loaders = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
  const parse = async <T extends Create | Update | Delete>(
    Type: { fromJsonLd(json: unknown, options: typeof loaders): Promise<T> },
    activity: T,
  ) => Type.fromJsonLd(await activity.toJsonLd(), loaders);
  if (kind === "delete") await onItemDeleted(node.ingest, ctx, await parse(Delete, activityBy(Delete, peer, object)));
  else if (kind === "update")
    await onItemUpdated(node.ingest, ctx, await parse(Update, activityBy(Update, peer, object)));
  else await onItemCreated(node.ingest, ctx, await parse(Create, activityBy(Create, peer, object)));
}

describeEachDatabase("adoptions from the inbox", () => {
  describe("an Adoption from a city this node does not follow", () => {
    it("onItemCreated() keeps a verified adoption of one of this node's cases, and it lists among the case's adoptions", async () => {
      const peer = await createTestPeer();
      const { node, caseId } = await origin(peer);
      const signed = await peer.sign(adoption(peer, caseId));
      await deliver(node, peer, signed);
      const held = await node.library.get(String(signed.document.id));
      expect(held).toMatchObject({ type: "Adoption", local: false, verified: true, origin: peer.origin });
      const listed = await node.library.list({ type: "Adoption", case: caseId });
      expect(listed.items.map((i) => i.id)).toEqual([signed.document.id]);
    });

    it("onItemUpdated() and onItemDeleted() apply the adopter's new status and its signed Tombstone", async () => {
      const peer = await createTestPeer();
      const { node, caseId } = await origin(peer);
      const first = await peer.sign(adoption(peer, caseId));
      const id = String(first.document.id);
      await deliver(node, peer, first);
      await deliver(
        node,
        peer,
        await peer.sign(adoption(peer, caseId, { id, version: 2, status: "piloting" })),
        "update",
      );
      expect((await node.library.get(id))?.document.status).toBe("piloting");
      await deliver(node, peer, await peer.sign({ ...peer.tombstone(id, 3), formerType: "Adoption" }), "delete");
      expect((await node.library.get(id))?.deleted).toBe(true);
      expect((await node.library.list({ type: "Adoption", case: caseId })).total).toBe(0);
    });

    it("refuses an adoption of a case this node does not hold, unless it follows the adopter", async () => {
      const peer = await createTestPeer();
      const { node } = await origin(peer);
      const elsewhere = "http://incheon.test/items/some-case";
      const signed = await peer.sign(adoption(peer, elsewhere));
      await deliver(node, peer, signed);
      expect(await node.library.get(String(signed.document.id))).toBeNull();

      const follower = await nodes.following(peer);
      await deliver(follower, peer, signed);
      expect((await follower.library.get(String(signed.document.id)))?.type).toBe("Adoption");
    });

    it("refuses an adoption signed with a key that is not the adopter's, and keeps nothing", async () => {
      const peer = await createTestPeer();
      const { node, caseId } = await origin(peer);
      const forger = await createSigningKey();
      const forged = await peer.sign(adoption(peer, caseId), forger.signer);
      await deliver(node, peer, forged);
      expect(await node.library.get(String(forged.document.id))).toBeNull();
      expect((await node.library.list({ type: "Adoption" })).total).toBe(0);
    });

    it("refuses an adoption that claims to come from another city, whoever signed it", async () => {
      const busan = await createTestPeer("http://busan.test");
      const incheon = await createTestPeer("http://incheon.test");
      const node = await nodes.create([busan, incheon]);
      const made = await node.library.create(draftFixture("case-study.minimal"), { author: "test" });
      if (!made.ok) throw new Error("fixture rejected");
      const claim = {
        ...adoption(busan, made.item.id),
        id: "http://incheon.test/items/adoption",
        attributedTo: incheon.actorId.href,
        city: "Incheon",
      };
      await deliver(node, busan, await busan.sign(claim));
      expect(await node.library.get(claim.id)).toBeNull();
    });

    it("refuses an adoption from a blocked host or, in allowlist mode, a host not on the list", async () => {
      const peer = await createTestPeer();
      const { node, caseId } = await origin(peer);
      const listed = { ...node, ingest: { ...node.ingest, allowlist: ["incheon.test"] } };
      const first = await peer.sign(adoption(peer, caseId));
      await deliver(listed, peer, first);
      expect(await node.library.get(String(first.document.id))).toBeNull();
      await node.peers.block("busan.test");
      const second = await peer.sign(adoption(peer, caseId));
      await deliver(node, peer, second);
      expect(await node.library.get(String(second.document.id))).toBeNull();
    });

    it("refuses the Tombstone of an adoption it does not hold from a city it does not follow", async () => {
      const peer = await createTestPeer();
      const { node } = await origin(peer);
      const caseOfPeer = await peer.sign(peer.caseStudy("A case of Busan's own"));
      const id = String(caseOfPeer.document.id);
      await deliver(node, peer, await peer.sign({ ...peer.tombstone(id, 2), formerType: "Adoption" }), "delete");
      expect(await node.library.get(id)).toBeNull();
    });
  });

  describe("createUnsolicitedGate()", () => {
    it("admits a host's adoptions up to its burst, then refuses the rest", async () => {
      const peer = await createTestPeer();
      const { node, caseId } = await origin(peer);
      const gate = createUnsolicitedGate({ library: node.library, perMinute: 1, burst: 2 });
      const document = adoption(peer, caseId);
      expect(await gate.admit(document, peer.actorId)).toBeNull();
      expect(await gate.admit(document, peer.actorId)).toBeNull();
      expect(await gate.admit(document, peer.actorId)).toBe("busan.test is delivering adoptions too fast");
      const other = await createTestPeer("http://incheon.test");
      expect(await gate.admit(adoption(other, caseId), other.actorId)).toBeNull();
    });

    it("refuses anything but an adoption of this node's own live case", async () => {
      const peer = await createTestPeer();
      const { node, caseId } = await origin(peer);
      const gate = createUnsolicitedGate({ library: node.library });
      const refusal = `${peer.actorId.href} is not a peer this node follows`;
      expect(await gate.admit(peer.caseStudy("Not an adoption"), peer.actorId)).toBe(refusal);
      expect(await gate.admit({ ...adoption(peer, caseId), case: 42 }, peer.actorId)).toBe(refusal);
      await node.library.remove(caseId, { author: "test" });
      expect(await gate.admit(adoption(peer, caseId), peer.actorId)).toBe(refusal);
    });
  });
});
